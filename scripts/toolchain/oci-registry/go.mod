module rollgate.dev/toolchain/oci-registry

go 1.25.11

require github.com/google/go-containerregistry v0.22.1
