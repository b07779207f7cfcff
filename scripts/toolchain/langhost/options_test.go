package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseOptionsDefaultsToTypeScript(t *testing.T) {
	opts, err := parseOptions(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if !opts.typescript || opts.tsconfigPath != "" || len(opts.nodeArgs) != 0 {
		t.Fatalf("unexpected defaults: %+v", opts)
	}
	if got := opts.env(); !reflect.DeepEqual(got, []string{"PULUMI_NODEJS_TYPESCRIPT=true"}) {
		t.Fatalf("env = %v", got)
	}
}

func TestParseOptionsReadsEveryOption(t *testing.T) {
	opts, err := parseOptions(map[string]any{"typescript": false, "tsconfig": "tsconfig.build.json", "nodeargs": `--max-old-space-size=512 --require "./a b.js"`})
	if err != nil {
		t.Fatal(err)
	}
	if opts.typescript {
		t.Fatal("typescript should be off")
	}
	if want := []string{"--max-old-space-size=512", "--require", "./a b.js"}; !reflect.DeepEqual(opts.nodeArgs, want) {
		t.Fatalf("nodeArgs = %q, want %q", opts.nodeArgs, want)
	}
	if got := opts.env(); !reflect.DeepEqual(got, []string{"PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.build.json"}) {
		t.Fatalf("env = %v", got)
	}
}

func TestParseOptionsNamesTheBadOption(t *testing.T) {
	for name, raw := range map[string]map[string]any{
		"typescript": {"typescript": "yes"},
		"tsconfig":   {"tsconfig": 3},
		"nodeargs":   {"nodeargs": `"unterminated`},
	} {
		if _, err := parseOptions(raw); err == nil || !strings.Contains(err.Error(), "`"+name+"`") {
			t.Errorf("%s: error %v does not name the option", name, err)
		}
	}
}

func TestLocateModuleSaysWhatToRunWhenMissing(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the language host needs node on PATH: %v", err)
	}
	dir := t.TempDir()
	if _, err := locateModule(context.Background(), node, "@pulumi/pulumi", dir); err == nil || !strings.Contains(err.Error(), "run npm ci") {
		t.Fatalf("error = %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "node_modules", "present"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules", "present", "index.js"), []byte(""), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err := locateModule(context.Background(), node, "present", dir)
	if err != nil || !strings.HasSuffix(found, filepath.Join("node_modules", "present", "index.js")) {
		t.Fatalf("found %q, %v", found, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLocateModuleFindsAPackageSubpathWithoutStartingNode(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "node_modules", "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi"}`)
	want := filepath.Join(root, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js")
	writeFile(t, want, "")
	program := filepath.Join(root, "packs", "abc")
	if err := os.MkdirAll(program, 0o755); err != nil {
		t.Fatal(err)
	}
	// No node at this path: the answer must come from the disk.
	found, err := locateModule(context.Background(), filepath.Join(root, "no-node"), "@pulumi/pulumi/cmd/run-policy-pack", program)
	if err != nil || found != want {
		t.Fatalf("found %q, %v; want %q", found, err, want)
	}
}

func TestLocateModuleAgreesWithNodeWhereItAnswers(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the language host needs node on PATH: %v", err)
	}
	root := t.TempDir()
	pkg := filepath.Join(root, "node_modules", "plain")
	writeFile(t, filepath.Join(pkg, "package.json"), `{"name":"plain"}`)
	writeFile(t, filepath.Join(pkg, "cmd", "run", "index.js"), "")
	writeFile(t, filepath.Join(pkg, "cmd", "tool.js"), "")
	for _, module := range []string{"plain/cmd/run", "plain/cmd/tool"} {
		fromDisk, ok := findInNodeModules(module, root)
		fromNode, err := locateModule(context.Background(), node, module, filepath.Join(root, "node_modules"))
		if !ok || err != nil || fromDisk != fromNode {
			t.Fatalf("%s: disk %q (%v), node %q (%v)", module, fromDisk, ok, fromNode, err)
		}
	}
}

func TestLocateModuleLeavesExportsMapsAndOddLayoutsToNode(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "node_modules", "mapped", "package.json"), `{"name":"mapped","exports":{"./run":"./lib/run.js"}}`)
	writeFile(t, filepath.Join(root, "node_modules", "mapped", "run", "index.js"), "")
	writeFile(t, filepath.Join(root, "node_modules", "odd", "package.json"), `{"name":"odd"}`)
	writeFile(t, filepath.Join(root, "node_modules", "odd", "run.json"), "{}")
	writeFile(t, filepath.Join(root, "node_modules", "odd", "run", "index.js"), "")
	for _, module := range []string{"mapped/run", "odd/run", "missing/run", "./local", "odd"} {
		if found, ok := findInNodeModules(module, root); ok {
			t.Fatalf("%s: found %q, want Node to decide", module, found)
		}
	}
}
