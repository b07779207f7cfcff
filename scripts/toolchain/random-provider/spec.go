package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// kind is the wire type of a property.
type kind int

const (
	kindString kind = iota
	kindInteger
	kindBool
	kindStringMap
	kindStringList
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindInteger:
		return "an integer"
	case kindBool:
		return "a boolean"
	case kindStringMap:
		return "a map of strings"
	case kindStringList:
		return "a list of strings"
	}
	return "unknown"
}

// maxSafeInteger is the largest integer a JavaScript number holds exactly.
const maxSafeInteger = 1<<53 - 1

// property describes one property of a resource type, named exactly as the
// @pulumi/random SDK names it.
type property struct {
	name     string
	kind     kind
	input    bool // the program may set it (otherwise it is an output only)
	required bool // the program must set it
	always   bool // always present in the outputs (for the schema)
	secret   bool // the provider returns it as a secret
	def      any  // default applied by Check; nil for none
	desc     string
}

// resourceType is one resource of the random package. Its lifecycle is the
// same for every type: Check validates and applies defaults, Diff replaces on
// any input change, Create generates, Read returns the state, Delete forgets.
type resourceType struct {
	token string
	desc  string
	props []property

	// prepare runs in Check before defaults are applied; it may fill inputs
	// that depend on one another (e.g. the deprecated `number` and `numeric`).
	prepare func(in resource.PropertyMap) []*pulumirpc.CheckFailure
	// validate checks the defaulted inputs; unknown values are absent from in.
	validate func(in values) []*pulumirpc.CheckFailure
	// generate creates the resource from fully known inputs. It returns the
	// ID and the output-only properties.
	generate func(in values) (string, resource.PropertyMap, error)
	// importID turns an ID given to `pulumi import` into the program's inputs,
	// the output-only properties and the ID to record. Nil when the type
	// cannot be imported.
	importID func(id string) (string, resource.PropertyMap, resource.PropertyMap, error)
}

func (t *resourceType) name() string {
	return t.token[strings.LastIndex(t.token, ":")+1:]
}

func (t *resourceType) prop(name string) *property {
	for i := range t.props {
		if t.props[i].name == name {
			return &t.props[i]
		}
	}
	return nil
}

func (t *resourceType) inputNames() []string {
	var names []string
	for _, p := range t.props {
		if p.input {
			names = append(names, p.name)
		}
	}
	return names
}

// resourceTypes holds every supported type by token.
var resourceTypes = map[string]*resourceType{}

func register(t *resourceType) {
	resourceTypes[t.token] = t
}

func supportedTokens() []string {
	tokens := make([]string, 0, len(resourceTypes))
	for token := range resourceTypes {
		tokens = append(tokens, token)
	}
	sort.Strings(tokens)
	return tokens
}

func lookupType(token string) (*resourceType, error) {
	if t, ok := resourceTypes[token]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("resource type %q is not implemented by Rollgate's random provider %s (it implements %s)",
		token, version, strings.Join(supportedTokens(), ", "))
}

func failure(prop, format string, args ...any) *pulumirpc.CheckFailure {
	return &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)}
}

// check validates news against the type and returns them with defaults
// applied. Secrets and unknown values are kept as they are.
func (t *resourceType) check(news resource.PropertyMap) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	out := resource.PropertyMap{}
	var failures []*pulumirpc.CheckFailure
	for _, k := range news.StableKeys() {
		v := news[k]
		if resource.IsInternalPropertyKey(k) {
			out[k] = v
			continue
		}
		p := t.prop(string(k))
		switch {
		case p == nil:
			failures = append(failures, failure(string(k), "%s has no property %q (its inputs are %s)",
				t.name(), k, strings.Join(t.inputNames(), ", ")))
			continue
		case !p.input:
			failures = append(failures, failure(string(k), "%s is an output of %s and cannot be set", k, t.name()))
			continue
		}
		if plain(v).IsNull() {
			continue // an explicit undefined/null is the same as leaving it out
		}
		if reason := checkKind(p, v); reason != "" {
			failures = append(failures, failure(p.name, "%s", reason))
			continue
		}
		out[k] = v
	}
	if len(failures) > 0 {
		return out, failures
	}
	if t.prepare != nil {
		if failures = t.prepare(out); len(failures) > 0 {
			return out, failures
		}
	}
	for _, p := range t.props {
		if !p.input {
			continue
		}
		if _, ok := out[resource.PropertyKey(p.name)]; ok {
			continue
		}
		switch {
		case p.def != nil:
			out[resource.PropertyKey(p.name)] = resource.NewPropertyValue(p.def)
		case p.required:
			failures = append(failures, failure(p.name, "missing required property %s", p.name))
		}
	}
	if len(failures) > 0 {
		return out, failures
	}
	if t.validate != nil {
		failures = t.validate(knownValues(out))
	}
	return out, failures
}

// checkKind returns why v is not a valid value for p, or "".
func checkKind(p *property, v resource.PropertyValue) string {
	v = plain(v)
	if v.ContainsUnknowns() && !(v.IsObject() || v.IsArray()) {
		return ""
	}
	bad := func() string {
		return fmt.Sprintf("%s must be %s, not %s", p.name, p.kind, describe(v))
	}
	switch p.kind {
	case kindString:
		if !v.IsString() {
			return bad()
		}
	case kindBool:
		if !v.IsBool() {
			return bad()
		}
	case kindInteger:
		if !v.IsNumber() {
			return bad()
		}
		n := v.NumberValue()
		if n != math.Trunc(n) || math.Abs(n) > maxSafeInteger {
			return fmt.Sprintf("%s must be a whole number between %d and %d, not %v",
				p.name, -maxSafeInteger, maxSafeInteger, n)
		}
	case kindStringMap:
		if !v.IsObject() {
			return bad()
		}
		obj := v.ObjectValue()
		for _, k := range obj.StableKeys() {
			e := plain(obj[k])
			if !e.IsString() && !e.ContainsUnknowns() {
				return fmt.Sprintf("%s.%s must be a string, not %s", p.name, k, describe(e))
			}
		}
	case kindStringList:
		if !v.IsArray() {
			return bad()
		}
		for i, e := range v.ArrayValue() {
			e = plain(e)
			if !e.IsString() && !e.ContainsUnknowns() {
				return fmt.Sprintf("%s[%d] must be a string, not %s", p.name, i, describe(e))
			}
		}
	}
	return ""
}

func describe(v resource.PropertyValue) string {
	switch {
	case v.IsString():
		return fmt.Sprintf("the string %q", v.StringValue())
	case v.IsNumber():
		return fmt.Sprintf("the number %v", v.NumberValue())
	case v.IsBool():
		return fmt.Sprintf("the boolean %v", v.BoolValue())
	case v.IsObject():
		return "an object"
	case v.IsArray():
		return "a list"
	case v.IsNull():
		return "null"
	}
	return v.TypeString()
}

// plain returns v with every secret replaced by the value it wraps.
func plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return resource.MakeComputed(resource.NewStringProperty(""))
		}
		return plain(o.Element)
	case v.IsObject():
		obj := v.ObjectValue()
		out := make(resource.PropertyMap, len(obj))
		for k, e := range obj {
			out[k] = plain(e)
		}
		return resource.NewObjectProperty(out)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return resource.NewArrayProperty(out)
	}
	return v
}

// values are inputs with secrets unwrapped; unknown values are left out.
type values map[string]resource.PropertyValue

func knownValues(m resource.PropertyMap) values {
	out := values{}
	for k, v := range m {
		v = plain(v)
		if v.ContainsUnknowns() || v.IsNull() {
			continue
		}
		out[string(k)] = v
	}
	return out
}

func (v values) has(names ...string) bool {
	for _, n := range names {
		if _, ok := v[n]; !ok {
			return false
		}
	}
	return true
}

func (v values) int(name string) int64 {
	if p, ok := v[name]; ok && p.IsNumber() {
		return int64(p.NumberValue())
	}
	return 0
}

func (v values) bool(name string) bool {
	p, ok := v[name]
	return ok && p.IsBool() && p.BoolValue()
}

func (v values) str(name string) string {
	if p, ok := v[name]; ok && p.IsString() {
		return p.StringValue()
	}
	return ""
}

func (v values) strings(name string) []string {
	p, ok := v[name]
	if !ok || !p.IsArray() {
		return nil
	}
	var out []string
	for _, e := range p.ArrayValue() {
		out = append(out, e.StringValue())
	}
	return out
}

// isEmpty reports whether v carries nothing: null, "", {} or [].
func isEmpty(v resource.PropertyValue) bool {
	v = plain(v)
	switch {
	case v.IsNull():
		return true
	case v.IsString():
		return v.StringValue() == ""
	case v.IsObject():
		return len(v.ObjectValue()) == 0
	case v.IsArray():
		return len(v.ArrayValue()) == 0
	}
	return false
}

// diff returns the input properties whose value differs between the old
// state (olds, the outputs recorded in the state) and the checked new inputs.
// A value that is not known yet counts as a change. A property missing from
// an old state counts as its default.
func (t *resourceType) diff(olds, news resource.PropertyMap, ignore []string) []string {
	ignored := map[string]bool{}
	for _, k := range ignore {
		ignored[k] = true
	}
	var changed []string
	for _, p := range t.props {
		if !p.input || ignored[p.name] {
			continue
		}
		key := resource.PropertyKey(p.name)
		o, hasOld := olds[key]
		n, hasNew := news[key]
		if !hasOld && p.def != nil {
			o, hasOld = resource.NewPropertyValue(p.def), true
		}
		if !hasNew && p.def != nil {
			n, hasNew = resource.NewPropertyValue(p.def), true
		}
		if !hasOld {
			o = resource.NewNullProperty()
		}
		if !hasNew {
			n = resource.NewNullProperty()
		}
		o, n = plain(o), plain(n)
		if n.ContainsUnknowns() || o.ContainsUnknowns() {
			changed = append(changed, p.name)
			continue
		}
		if isEmpty(o) && isEmpty(n) {
			continue
		}
		if !o.DeepEquals(n) {
			changed = append(changed, p.name)
		}
	}
	return changed
}
