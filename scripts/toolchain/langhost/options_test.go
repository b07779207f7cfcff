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
