// Command pulumi-resource-random is Rollgate's implementation of the Pulumi
// `random` resource provider plugin.
//
// The upstream provider's Go module is not served by the module proxy
// available to Rollgate, so this small provider, written from scratch on the
// published Pulumi Go SDK, speaks the same wire protocol and the same type
// tokens and property names as the @pulumi/random TypeScript SDK (4.21.2).
// The engine asks for the plugin version the npm SDK declares, so the binary
// is built with -ldflags "-X main.version=4.21.2".
//
// Every resource is generated once with crypto/rand (or, where the resource
// has a `seed` input, with a deterministic generator derived from the seed) and
// never changes afterwards: any change to an input, `keepers` included,
// replaces the resource.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

const providerName = "random"

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Println(version)
		return
	}
	err := provider.Main(providerName, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newServer(version), nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
