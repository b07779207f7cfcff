//go:build tools

// Package tools pins actionlint, which validates the GitHub workflows.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
