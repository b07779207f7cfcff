package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/google/shlex"
)

// nodeOptions are the runtime options a Pulumi.yaml may set for nodejs.
type nodeOptions struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
}

func parseOptions(raw map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	if value, ok := raw["typescript"]; ok {
		flag, isBool := value.(bool)
		if !isBool {
			return opts, errors.New("runtime option `typescript` must be a boolean")
		}
		opts.typescript = flag
	}
	if value, ok := raw["tsconfig"]; ok {
		path, isString := value.(string)
		if !isString {
			return opts, errors.New("runtime option `tsconfig` must be a string")
		}
		opts.tsconfigPath = path
	}
	if value, ok := raw["nodeargs"]; ok {
		args, isString := value.(string)
		if !isString {
			return opts, errors.New("runtime option `nodeargs` must be a string")
		}
		split, err := shlex.Split(args)
		if err != nil {
			return opts, fmt.Errorf("runtime option `nodeargs`: %w", err)
		}
		opts.nodeArgs = split
	}
	return opts, nil
}

func (o nodeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// locateModule resolves a module the way the program itself would, so the
// program's own @pulumi/pulumi runs it. The common case is found on disk;
// anything else is left to Node's own resolver, a process start (~40 ms) per
// program and policy pack run.
func locateModule(ctx context.Context, node, module, dir string) (string, error) {
	if found, ok := findInNodeModules(module, dir); ok {
		return found, nil
	}
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) { `+
		`console.error(e.code === "MODULE_NOT_FOUND" ? "@pulumi/pulumi is not installed in %s: run npm ci" : e.message); `+
		`process.exit(1); }`, module, dir)
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// findInNodeModules is Node's CommonJS lookup of `module` from `dir` for a
// package without an "exports" map: the nearest node_modules that holds the
// package, then the subpath as a file, as `.js`, or as a directory's
// index.js. It answers only when that lookup is certain, and false otherwise.
func findInNodeModules(module, dir string) (string, bool) {
	parts := strings.Split(module, "/")
	nameParts := 1
	if strings.HasPrefix(module, "@") {
		nameParts = 2
	}
	if len(parts) < nameParts || strings.HasPrefix(module, ".") || filepath.IsAbs(module) {
		return "", false
	}
	name, subpath := filepath.Join(parts[:nameParts]...), filepath.Join(parts[nameParts:]...)
	for current := dir; ; current = filepath.Dir(current) {
		pkg := filepath.Join(current, "node_modules", name)
		if info, err := os.Stat(pkg); err == nil && info.IsDir() {
			return findInPackage(pkg, subpath)
		}
		if parent := filepath.Dir(current); parent == current {
			return "", false
		}
	}
}

func findInPackage(pkg, subpath string) (string, bool) {
	manifest, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil || subpath == "" {
		return "", false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(manifest, &fields) != nil || fields["exports"] != nil {
		return "", false
	}
	target := filepath.Join(pkg, subpath)
	for _, file := range []string{target, target + ".js"} {
		if info, err := os.Stat(file); err == nil && info.Mode().IsRegular() {
			return file, true
		}
	}
	for _, other := range []string{target + ".json", target + ".node", filepath.Join(target, "package.json")} {
		if _, err := os.Stat(other); err == nil {
			return "", false
		}
	}
	index := filepath.Join(target, "index.js")
	if info, err := os.Stat(index); err == nil && info.Mode().IsRegular() {
		return index, true
	}
	return "", false
}
