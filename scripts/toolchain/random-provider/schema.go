package main

import (
	"encoding/json"
	"sort"
)

// schemaJSON returns a Pulumi package schema describing the supported
// resources. The engine only needs the name and version; the resources make
// `pulumi import` and the like able to describe them.
func schemaJSON(version string) (string, error) {
	resources := map[string]any{}
	for _, token := range supportedTokens() {
		resources[token] = resourceSchema(resourceTypes[token])
	}
	schema := map[string]any{
		"name":        providerName,
		"displayName": "random",
		"version":     version,
		"description": "A Pulumi package to safely use randomness in Pulumi programs (Rollgate's provider).",
		"meta":        map[string]any{"moduleFormat": "(.*)(?:/[^/]*)"},
		"config":      map[string]any{},
		"provider":    map[string]any{"description": "The provider type for the random package."},
		"resources":   resources,
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	return string(b), err
}

func resourceSchema(t *resourceType) map[string]any {
	all, inputs := map[string]any{}, map[string]any{}
	required, requiredInputs := []string{}, []string{}
	for _, p := range t.props {
		spec := propertySchema(p)
		all[p.name] = spec
		if p.always {
			required = append(required, p.name)
		}
		if p.input {
			inputs[p.name] = spec
			if p.required {
				requiredInputs = append(requiredInputs, p.name)
			}
		}
	}
	sort.Strings(required)
	sort.Strings(requiredInputs)
	return map[string]any{
		"description":     t.desc,
		"properties":      all,
		"required":        required,
		"inputProperties": inputs,
		"requiredInputs":  requiredInputs,
		"stateInputs": map[string]any{
			"description": "Input properties used for looking up and filtering " + t.name() + " resources.",
			"type":        "object",
			"properties":  all,
		},
	}
}

func propertySchema(p property) map[string]any {
	spec := map[string]any{"description": p.desc}
	switch p.kind {
	case kindString:
		spec["type"] = "string"
	case kindInteger:
		spec["type"] = "integer"
	case kindBool:
		spec["type"] = "boolean"
	case kindStringMap:
		spec["type"] = "object"
		spec["additionalProperties"] = map[string]any{"type": "string"}
	case kindStringList:
		spec["type"] = "array"
		spec["items"] = map[string]any{"type": "string"}
	}
	if p.secret {
		spec["secret"] = true
	}
	if p.name == "number" {
		spec["deprecationMessage"] = "**NOTE**: This is deprecated, use `numeric` instead."
	}
	return spec
}
