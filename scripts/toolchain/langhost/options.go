package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
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
// program's own @pulumi/pulumi runs it.
func locateModule(ctx context.Context, node, module, dir string) (string, error) {
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
