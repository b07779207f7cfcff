// Command oci-registry serves an in-memory OCI distribution registry with the referrers API on a loopback port, for
// Rollgate's supply-chain tests: images, signatures and attestations are pushed to it and read back through the
// distribution API as from any registry. It is go-containerregistry's registry package; nothing is kept on disk.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

var version = "dev"

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	addressFile := flag.String("address-file", "", "file to write the bound address to once listening")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	if err := run(*listen, *addressFile); err != nil {
		log.Fatal(err)
	}
}

func run(listen, addressFile string) error {
	listener, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	server := &http.Server{
		Handler:           registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(os.Stderr, "", log.LstdFlags))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if addressFile != "" {
		if err := os.WriteFile(addressFile, []byte(listener.Addr().String()), 0o644); err != nil {
			return err
		}
	}
	log.Printf("oci-registry %s listening on %s", version, listener.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		_ = server.Close()
	}()
	if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
