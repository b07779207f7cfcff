package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// GetRequiredPackages reports the resource plugins that the program's installed
// Pulumi packages declare in the "pulumi" field of their package.json.
func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := resourcePackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

//nolint:staticcheck // the engine still calls the deprecated RPC on some paths
func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := resourcePackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(deps))
	for _, dep := range deps {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: dep.Name, Kind: dep.Kind, Version: dep.Version, Server: dep.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// resourcePackages looks at the top level of the nearest node_modules,
// including scoped packages, which is where npm installs direct dependencies.
func resourcePackages(programDir string) ([]*pulumirpc.PackageDependency, error) {
	modules := nearestNodeModules(programDir)
	if modules == "" {
		return nil, nil
	}
	var manifests []string
	entries, err := os.ReadDir(modules)
	if err != nil {
		return nil, err
	}
	for _, entry := range entries {
		if !entry.IsDir() && entry.Type()&os.ModeSymlink == 0 {
			continue
		}
		if strings.HasPrefix(entry.Name(), "@") {
			scoped, err := os.ReadDir(filepath.Join(modules, entry.Name()))
			if err != nil {
				continue
			}
			for _, pkg := range scoped {
				manifests = append(manifests, filepath.Join(modules, entry.Name(), pkg.Name(), "package.json"))
			}
			continue
		}
		manifests = append(manifests, filepath.Join(modules, entry.Name(), "package.json"))
	}
	seen := map[string]bool{}
	var deps []*pulumirpc.PackageDependency
	for _, path := range manifests {
		manifest, err := readPackageJSON(path)
		if err != nil || !manifest.Pulumi.Resource {
			continue
		}
		name := manifest.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(manifest.Name, "@pulumi/")
		}
		version := manifest.Pulumi.Version
		if version == "" {
			version = manifest.Version
		}
		if seen[name+"@"+version] {
			continue
		}
		seen[name+"@"+version] = true
		deps = append(deps, &pulumirpc.PackageDependency{
			Kind:    "resource",
			Name:    name,
			Version: "v" + strings.TrimPrefix(version, "v"),
			Server:  manifest.Pulumi.Server,
		})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return deps, nil
}

func nearestNodeModules(dir string) string {
	for {
		candidate := filepath.Join(dir, "node_modules")
		if info, err := os.Stat(candidate); err == nil && info.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
