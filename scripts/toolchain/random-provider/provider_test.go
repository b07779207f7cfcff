package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	tString   = "random:index/randomString:RandomString"
	tPassword = "random:index/randomPassword:RandomPassword"
	tInteger  = "random:index/randomInteger:RandomInteger"
	tID       = "random:index/randomId:RandomId"
	tBytes    = "random:index/randomBytes:RandomBytes"
	tPet      = "random:index/randomPet:RandomPet"
	tShuffle  = "random:index/randomShuffle:RandomShuffle"
	tUUID     = "random:index/randomUuid:RandomUuid"
	tUUID4    = "random:index/randomUuid4:RandomUuid4"
	tUUID7    = "random:index/randomUuid7:RandomUuid7"
)

var ctx = context.Background()

func urnOf(token string) string {
	return "urn:pulumi:dev::proj::" + token + "::res"
}

func toStruct(t *testing.T, props resource.PropertyMap) *structpb.Struct {
	t.Helper()
	st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func fromStruct(t *testing.T, st *structpb.Struct) resource.PropertyMap {
	t.Helper()
	props, err := plugin.UnmarshalProperties(st, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return props
}

func props(m map[string]any) resource.PropertyMap {
	return resource.NewPropertyMapFromMap(m)
}

// check calls Check the way the engine does (type only in the URN).
func check(t *testing.T, s *server, token string, news resource.PropertyMap) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	t.Helper()
	resp, err := s.Check(ctx, &pulumirpc.CheckRequest{Urn: urnOf(token), News: toStruct(t, news)})
	if err != nil {
		t.Fatalf("Check(%s): %v", token, err)
	}
	return fromStruct(t, resp.GetInputs()), resp.GetFailures()
}

func mustCheck(t *testing.T, s *server, token string, news resource.PropertyMap) resource.PropertyMap {
	t.Helper()
	inputs, failures := check(t, s, token, news)
	if len(failures) > 0 {
		t.Fatalf("Check(%s) failed: %v", token, failures)
	}
	return inputs
}

func create(t *testing.T, s *server, token string, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap) {
	t.Helper()
	resp, err := s.Create(ctx, &pulumirpc.CreateRequest{
		Urn: urnOf(token), Type: token, Properties: toStruct(t, inputs), Preview: preview,
	})
	if err != nil {
		t.Fatalf("Create(%s): %v", token, err)
	}
	return resp.GetId(), fromStruct(t, resp.GetProperties())
}

// up checks then creates a resource, as `pulumi up` does.
func up(t *testing.T, s *server, token string, news map[string]any) (string, resource.PropertyMap) {
	t.Helper()
	return create(t, s, token, mustCheck(t, s, token, props(news)), false)
}

func str(t *testing.T, m resource.PropertyMap, key string) string {
	t.Helper()
	v := plain(m[resource.PropertyKey(key)])
	if !v.IsString() {
		t.Fatalf("%s is %v, not a string", key, v)
	}
	return v.StringValue()
}

func TestCheckAppliesRandomStringDefaults(t *testing.T) {
	s := newServer("4.21.2")
	for _, token := range []string{tString, tPassword} {
		inputs := mustCheck(t, s, token, props(map[string]any{"length": 12}))
		want := props(map[string]any{
			"length": 12, "upper": true, "lower": true, "numeric": true, "number": true, "special": true,
			"minUpper": 0, "minLower": 0, "minNumeric": 0, "minSpecial": 0,
		})
		if !inputs.DeepEquals(want) {
			t.Errorf("%s: Check inputs = %v, want %v", token, inputs, want)
		}
	}
}

func TestCheckKeepsGivenValuesAndSyncsNumber(t *testing.T) {
	s := newServer("4.21.2")
	inputs := mustCheck(t, s, tString, props(map[string]any{
		"length": 5, "special": false, "number": false, "overrideSpecial": "_", "keepers": map[string]any{"a": "1"},
	}))
	for key, want := range map[string]any{"special": false, "number": false, "numeric": false, "upper": true} {
		if got := inputs[resource.PropertyKey(key)]; !got.DeepEquals(resource.NewPropertyValue(want)) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if str(t, inputs, "overrideSpecial") != "_" {
		t.Errorf("overrideSpecial not kept: %v", inputs)
	}
}

func TestCheckAppliesPetDefaults(t *testing.T) {
	s := newServer("4.21.2")
	inputs := mustCheck(t, s, tPet, resource.PropertyMap{})
	if !inputs.DeepEquals(props(map[string]any{"length": 2, "separator": "-"})) {
		t.Errorf("RandomPet defaults = %v", inputs)
	}
}

func TestCheckValidationMessages(t *testing.T) {
	s := newServer("4.21.2")
	cases := []struct {
		name, token string
		news        map[string]any
		property    string
		reason      string
	}{
		{"missing length", tString, map[string]any{}, "length", "missing required property length"},
		{"zero length", tString, map[string]any{"length": 0}, "length", "length must be at least 1, got 0"},
		{"negative length", tPassword, map[string]any{"length": -3}, "length", "length must be at least 1"},
		{"minimums exceed length", tString, map[string]any{"length": 4, "minUpper": 2, "minNumeric": 3},
			"length", "length (4) must be at least minUpper + minLower + minNumeric + minSpecial (5)"},
		{"negative minimum", tString, map[string]any{"length": 4, "minLower": -1},
			"minLower", "minLower must not be negative"},
		{"minimum of disabled class", tPassword, map[string]any{"length": 8, "upper": false, "minUpper": 1},
			"minUpper", "minUpper is 1 but upper is false"},
		{"no class", tString,
			map[string]any{"length": 8, "upper": false, "lower": false, "numeric": false, "special": false},
			"upper", "at least one of upper, lower, numeric and special must be true"},
		{"number disagrees", tString, map[string]any{"length": 8, "number": true, "numeric": false},
			"number", "number (true) and numeric (false) disagree"},
		{"wrong type", tString, map[string]any{"length": "16"}, "length", `length must be an integer, not the string "16"`},
		{"fraction", tString, map[string]any{"length": 1.5}, "length", "length must be a whole number"},
		{"keeper type", tString, map[string]any{"length": 2, "keepers": map[string]any{"k": 1}},
			"keepers", "keepers.k must be a string, not the number 1"},
		{"unknown property", tString, map[string]any{"length": 2, "lenght": 3}, "lenght", `RandomString has no property "lenght"`},
		{"output set", tString, map[string]any{"length": 2, "result": "x"}, "result", "result is an output of RandomString"},
		{"integer range", tInteger, map[string]any{"min": 10, "max": 1}, "max", "max (1) must be greater than or equal to min (10)"},
		{"integer missing", tInteger, map[string]any{"min": 1}, "max", "missing required property max"},
		{"id byteLength", tID, map[string]any{"byteLength": 0}, "byteLength", "byteLength must be at least 1, got 0"},
		{"bytes length", tBytes, map[string]any{"length": 0}, "length", "length must be at least 1, got 0"},
		{"pet length", tPet, map[string]any{"length": 0}, "length", "length must be at least 1, got 0"},
		{"shuffle inputs", tShuffle, map[string]any{}, "inputs", "missing required property inputs"},
		{"shuffle count", tShuffle, map[string]any{"inputs": []any{}, "resultCount": 2},
			"resultCount", "resultCount is 2 but inputs is empty"},
		{"shuffle negative", tShuffle, map[string]any{"inputs": []any{"a"}, "resultCount": -1},
			"resultCount", "resultCount must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, failures := check(t, s, c.token, props(c.news))
			for _, f := range failures {
				if f.GetProperty() == c.property && strings.Contains(f.GetReason(), c.reason) {
					return
				}
			}
			t.Errorf("failures = %v, want one on %q containing %q", failures, c.property, c.reason)
		})
	}
}

func TestCheckSkipsValidationOfUnknownValues(t *testing.T) {
	s := newServer("4.21.2")
	news := props(map[string]any{"minUpper": 3})
	news["length"] = resource.MakeComputed(resource.NewStringProperty(""))
	inputs, failures := check(t, s, tString, news)
	if len(failures) > 0 {
		t.Fatalf("unexpected failures with an unknown length: %v", failures)
	}
	if !inputs["length"].IsComputed() {
		t.Errorf("length should stay unknown, got %v", inputs["length"])
	}
}

func TestUnsupportedTypeNamesTheType(t *testing.T) {
	s := newServer("4.21.2")
	token := "random:index/randomThing:RandomThing"
	_, err := s.Check(ctx, &pulumirpc.CheckRequest{Urn: urnOf(token), News: toStruct(t, resource.PropertyMap{})})
	if err == nil || !strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "not implemented") {
		t.Fatalf("Check of an unsupported type: err = %v", err)
	}
}

// classCounts counts the characters of s by class.
func classCounts(s, special string) (upper, lower, numeric, spec, other int) {
	for _, r := range s {
		switch {
		case strings.ContainsRune(upperChars, r):
			upper++
		case strings.ContainsRune(lowerChars, r):
			lower++
		case strings.ContainsRune(numericChars, r):
			numeric++
		case strings.ContainsRune(special, r):
			spec++
		default:
			other++
		}
	}
	return
}

func TestRandomStringCharacterClasses(t *testing.T) {
	s := newServer("4.21.2")
	cases := []struct {
		name    string
		news    map[string]any
		special string
		check   func(u, l, n, sp int) bool
	}{
		{"defaults", map[string]any{"length": 24}, defaultSpecial,
			func(u, l, n, sp int) bool { return u+l+n+sp == 24 }},
		{"minimums fill the string", map[string]any{"length": 10, "minUpper": 3, "minLower": 3, "minNumeric": 2, "minSpecial": 2},
			defaultSpecial, func(u, l, n, sp int) bool { return u == 3 && l == 3 && n == 2 && sp == 2 }},
		{"minimums honoured", map[string]any{"length": 12, "minUpper": 4, "minNumeric": 5},
			defaultSpecial, func(u, l, n, sp int) bool { return u >= 4 && n >= 5 }},
		{"lowercase only", map[string]any{"length": 30, "upper": false, "numeric": false, "special": false},
			"", func(u, l, n, sp int) bool { return l == 30 }},
		{"deprecated number off", map[string]any{"length": 30, "number": false, "special": false},
			"", func(u, l, n, sp int) bool { return n == 0 && u+l == 30 }},
		{"override special", map[string]any{"length": 20, "upper": false, "lower": false, "numeric": false,
			"overrideSpecial": "/@£$", "minSpecial": 20}, "/@£$",
			func(u, l, n, sp int) bool { return sp == 20 }},
		{"override special mixed", map[string]any{"length": 16, "overrideSpecial": "_-", "minSpecial": 2},
			"_-", func(u, l, n, sp int) bool { return sp >= 2 && u+l+n+sp == 16 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// RandomPassword shares the generator; bcrypt makes each of its
			// creations slow, so it gets fewer rounds.
			for token, rounds := range map[string]int{tString: 100, tPassword: 3} {
				for i := 0; i < rounds; i++ {
					_, outs := up(t, s, token, c.news)
					result := str(t, outs, "result")
					length := int(c.news["length"].(int))
					if utf8.RuneCountInString(result) != length {
						t.Fatalf("%s: result %q has %d characters, want %d", token, result, utf8.RuneCountInString(result), length)
					}
					u, l, n, sp, other := classCounts(result, c.special)
					if other != 0 || !c.check(u, l, n, sp) {
						t.Fatalf("%s: result %q breaks the character classes (upper %d lower %d numeric %d special %d other %d)",
							token, result, u, l, n, sp, other)
					}
				}
			}
		})
	}
}

func TestRandomStringIDAndOutputs(t *testing.T) {
	s := newServer("4.21.2")
	id, outs := up(t, s, tString, map[string]any{"length": 16, "keepers": map[string]any{"k": "v"}})
	if id != str(t, outs, "result") {
		t.Errorf("RandomString id %q != result %q", id, str(t, outs, "result"))
	}
	for _, key := range []string{"length", "upper", "lower", "numeric", "number", "special", "minUpper", "keepers"} {
		if _, ok := outs[resource.PropertyKey(key)]; !ok {
			t.Errorf("output %s missing from %v", key, outs)
		}
	}
	if outs["result"].IsSecret() {
		t.Errorf("RandomString result should not be a secret")
	}
}

func TestRandomPasswordResultIsSecret(t *testing.T) {
	s := newServer("4.21.2")
	id, outs := up(t, s, tPassword, map[string]any{"length": 20})
	if id != "none" {
		t.Errorf("RandomPassword id = %q; the password must not be its ID", id)
	}
	if !outs["result"].IsSecret() || !outs["bcryptHash"].IsSecret() {
		t.Fatalf("result and bcryptHash must be secrets: %v", outs)
	}
	password, hash := str(t, outs, "result"), str(t, outs, "bcryptHash")
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)); err != nil {
		t.Errorf("bcryptHash does not match result: %v", err)
	}
}

func TestSecretsArePlainWhenTheEngineRefusesThem(t *testing.T) {
	s := newServer("4.21.2")
	if _, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: false}); err != nil {
		t.Fatal(err)
	}
	_, outs := up(t, s, tPassword, map[string]any{"length": 8})
	if outs["result"].IsSecret() || !outs["result"].IsString() {
		t.Errorf("with AcceptSecrets false, result should be a plain string: %v", outs["result"])
	}
}

func TestCreatePreviewReturnsUnknowns(t *testing.T) {
	s := newServer("4.21.2")
	for token, outputsOf := range map[string][]string{
		tString:   {"result"},
		tPassword: {"result", "bcryptHash"},
		tID:       {"b64Url", "b64Std", "hex", "dec"},
		tInteger:  {"result"},
		tBytes:    {"base64", "hex"},
		tShuffle:  {"results"},
		tUUID:     {"result"},
	} {
		news := map[string]any{
			tString: map[string]any{"length": 8}, tPassword: map[string]any{"length": 8},
			tID: map[string]any{"byteLength": 4}, tInteger: map[string]any{"min": 1, "max": 3},
			tBytes: map[string]any{"length": 4}, tShuffle: map[string]any{"inputs": []any{"a"}},
			tUUID: map[string]any{},
		}[token].(map[string]any)
		inputs := mustCheck(t, s, token, props(news))
		id, outs := create(t, s, token, inputs, true)
		if id != "" {
			t.Errorf("%s: preview id = %q, want empty", token, id)
		}
		for _, key := range outputsOf {
			if !outs[resource.PropertyKey(key)].ContainsUnknowns() {
				t.Errorf("%s: preview output %s = %v, want unknown", token, key, outs[resource.PropertyKey(key)])
			}
		}
		for k, v := range inputs {
			if !outs[k].DeepEquals(v) {
				t.Errorf("%s: preview output %s = %v, want the input %v", token, k, outs[k], v)
			}
		}
	}
}

func TestCreatePreviewWithUnknownInputs(t *testing.T) {
	s := newServer("4.21.2")
	inputs := props(map[string]any{"keepers": map[string]any{}})
	inputs["keepers"] = resource.MakeComputed(resource.NewStringProperty(""))
	_, outs := create(t, s, tUUID, inputs, true)
	if !outs["result"].ContainsUnknowns() {
		t.Errorf("result = %v, want unknown", outs["result"])
	}
}

func diff(t *testing.T, s *server, token string, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := s.Diff(ctx, &pulumirpc.DiffRequest{
		Urn: urnOf(token), Id: "x", Olds: toStruct(t, olds), News: toStruct(t, news),
	})
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return resp
}

func TestDiffReplacesOnAnyInputChange(t *testing.T) {
	s := newServer("4.21.2")
	_, olds := up(t, s, tString, map[string]any{"length": 8, "keepers": map[string]any{"image": "v1"}})

	same := mustCheck(t, s, tString, props(map[string]any{"length": 8, "keepers": map[string]any{"image": "v1"}}))
	if resp := diff(t, s, tString, olds, same); resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE || len(resp.GetReplaces()) > 0 {
		t.Errorf("unchanged inputs: diff = %v, want none", resp)
	}

	newKeeper := mustCheck(t, s, tString, props(map[string]any{"length": 8, "keepers": map[string]any{"image": "v2"}}))
	resp := diff(t, s, tString, olds, newKeeper)
	if resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(resp.GetReplaces(), ",") != "keepers" {
		t.Errorf("keepers change: diff = %v, want a replacement on keepers", resp)
	}
	if resp.GetDetailedDiff()["keepers"].GetKind() != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Errorf("keepers change: detailed diff = %v", resp.GetDetailedDiff())
	}

	dropKeepers := mustCheck(t, s, tString, props(map[string]any{"length": 8}))
	if resp := diff(t, s, tString, olds, dropKeepers); strings.Join(resp.GetReplaces(), ",") != "keepers" {
		t.Errorf("keepers removed: diff = %v, want a replacement on keepers", resp)
	}

	longer := mustCheck(t, s, tString, props(map[string]any{"length": 9, "special": false,
		"keepers": map[string]any{"image": "v1"}}))
	if resp := diff(t, s, tString, olds, longer); strings.Join(resp.GetReplaces(), ",") != "length,special" {
		t.Errorf("length and special change: replaces = %v", resp.GetReplaces())
	}

	unknown := mustCheck(t, s, tString, props(map[string]any{"length": 8}))
	unknown["keepers"] = resource.NewObjectProperty(resource.PropertyMap{
		"image": resource.MakeComputed(resource.NewStringProperty("")),
	})
	if resp := diff(t, s, tString, olds, unknown); strings.Join(resp.GetReplaces(), ",") != "keepers" {
		t.Errorf("unknown keeper: diff = %v, want a replacement on keepers", resp)
	}

	secret := mustCheck(t, s, tString, props(map[string]any{"length": 8}))
	secret["keepers"] = resource.MakeSecret(resource.NewObjectProperty(props(map[string]any{"image": "v1"})))
	if resp := diff(t, s, tString, olds, secret); resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("same keepers made secret: diff = %v, want none", resp)
	}
}

func TestDiffTreatsMissingAndEmptyKeepersAlike(t *testing.T) {
	s := newServer("4.21.2")
	_, olds := up(t, s, tUUID, map[string]any{})
	news := mustCheck(t, s, tUUID, props(map[string]any{"keepers": map[string]any{}}))
	if resp := diff(t, s, tUUID, olds, news); resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("absent vs empty keepers: diff = %v, want none", resp)
	}
}

func TestDiffFillsDefaultsMissingFromOldState(t *testing.T) {
	s := newServer("4.21.2")
	olds := props(map[string]any{"length": 8, "result": "abcdefgh"}) // a state recorded without defaults
	news := mustCheck(t, s, tString, props(map[string]any{"length": 8}))
	if resp := diff(t, s, tString, olds, news); resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("defaults missing from old state: diff = %v, want none", resp)
	}
}

func TestRandomIdEncodings(t *testing.T) {
	s := newServer("4.21.2")
	for _, prefix := range []string{"", "p-"} {
		news := map[string]any{"byteLength": 8}
		if prefix != "" {
			news["prefix"] = prefix
		}
		id, outs := up(t, s, tID, news)
		b64url, b64std, hx, dec := str(t, outs, "b64Url"), str(t, outs, "b64Std"), str(t, outs, "hex"), str(t, outs, "dec")
		for name, v := range map[string]string{"b64Url": b64url, "b64Std": b64std, "hex": hx, "dec": dec} {
			if !strings.HasPrefix(v, prefix) {
				t.Fatalf("%s = %q lacks the prefix %q", name, v, prefix)
			}
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(b64url, prefix))
		if err != nil || len(raw) != 8 {
			t.Fatalf("b64Url %q: %v (%d bytes)", b64url, err, len(raw))
		}
		if id != strings.TrimPrefix(b64url, prefix) {
			t.Errorf("id = %q, want the unprefixed b64Url %q", id, b64url)
		}
		if std, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(b64std, prefix)); string(std) != string(raw) {
			t.Errorf("b64Std %q does not encode the same bytes as b64Url %q", b64std, b64url)
		}
		if h := strings.TrimPrefix(hx, prefix); len(h) != 16 || h != hex.EncodeToString(raw) {
			t.Errorf("hex %q does not encode the bytes %x", hx, raw)
		}
		if d := strings.TrimPrefix(dec, prefix); d != new(big.Int).SetBytes(raw).String() {
			t.Errorf("dec %q does not encode the bytes %x", dec, raw)
		}
	}
}

func TestRandomIdKnownEncoding(t *testing.T) {
	id, outs := idOutputs([]byte{0xfb, 0xff, 0x00, 0x01}, "x-")
	want := map[string]string{"b64Url": "x--_8AAQ", "b64Std": "x-+/8AAQ==", "hex": "x-fbff0001", "dec": "x-4227792897"}
	for k, v := range want {
		if got := outs[resource.PropertyKey(k)].StringValue(); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if id != "-_8AAQ" {
		t.Errorf("id = %q", id)
	}
}

func TestRandomInteger(t *testing.T) {
	s := newServer("4.21.2")
	seen := map[float64]bool{}
	for i := 0; i < 200; i++ {
		id, outs := up(t, s, tInteger, map[string]any{"min": -2, "max": 2})
		n := outs["result"].NumberValue()
		if n < -2 || n > 2 || id != big.NewInt(int64(n)).String() {
			t.Fatalf("result %v id %q out of [-2, 2]", n, id)
		}
		seen[n] = true
	}
	if len(seen) != 5 {
		t.Errorf("200 draws in [-2, 2] gave only %v", seen)
	}
	_, a := up(t, s, tInteger, map[string]any{"min": 1, "max": 1 << 40, "seed": "abc"})
	_, b := up(t, s, tInteger, map[string]any{"min": 1, "max": 1 << 40, "seed": "abc"})
	if a["result"].NumberValue() != b["result"].NumberValue() {
		t.Errorf("the same seed gave %v and %v", a["result"], b["result"])
	}
}

func TestRandomBytesAreSecrets(t *testing.T) {
	s := newServer("4.21.2")
	_, outs := up(t, s, tBytes, map[string]any{"length": 32})
	if !outs["base64"].IsSecret() || !outs["hex"].IsSecret() {
		t.Fatalf("base64 and hex must be secrets: %v", outs)
	}
	raw, err := base64.StdEncoding.DecodeString(str(t, outs, "base64"))
	if err != nil || len(raw) != 32 || hex.EncodeToString(raw) != str(t, outs, "hex") {
		t.Errorf("base64 %q and hex %q disagree or have the wrong length", str(t, outs, "base64"), str(t, outs, "hex"))
	}
}

func TestUUIDs(t *testing.T) {
	s := newServer("4.21.2")
	for token, version := range map[string]byte{tUUID: '4', tUUID4: '4', tUUID7: '7'} {
		id, outs := up(t, s, token, map[string]any{})
		u := str(t, outs, "result")
		if id != u || !isUUID(u) || u[14] != version || !strings.ContainsRune("89ab", rune(u[19])) {
			t.Errorf("%s: id %q result %q is not a version %c UUID", token, id, u, version)
		}
	}
}

func TestRandomPet(t *testing.T) {
	s := newServer("4.21.2")
	word := regexp.MustCompile(`^[a-z]+$`)
	for _, c := range []struct {
		news  map[string]any
		sep   string
		words int
	}{
		{map[string]any{}, "-", 2},
		{map[string]any{"length": 1}, "-", 1},
		{map[string]any{"length": 4, "separator": "_", "prefix": "web"}, "_", 5},
	} {
		id, _ := up(t, s, tPet, c.news)
		parts := strings.Split(id, c.sep)
		if len(parts) != c.words {
			t.Errorf("pet %q has %d words, want %d", id, len(parts), c.words)
		}
		for _, p := range parts {
			if !word.MatchString(p) {
				t.Errorf("pet %q has the word %q", id, p)
			}
		}
		if c.news["prefix"] != nil && parts[0] != "web" {
			t.Errorf("pet %q lacks its prefix", id)
		}
	}
}

func TestRandomShuffle(t *testing.T) {
	s := newServer("4.21.2")
	items := []any{"a", "b", "c", "d"}
	results := func(outs resource.PropertyMap) []string {
		var out []string
		for _, v := range outs["results"].ArrayValue() {
			out = append(out, v.StringValue())
		}
		return out
	}
	_, outs := up(t, s, tShuffle, map[string]any{"inputs": items})
	got := results(outs)
	if len(got) != 4 || strings.Join(sortedCopy(got), "") != "abcd" {
		t.Errorf("results %v are not a permutation of %v", got, items)
	}
	_, outs = up(t, s, tShuffle, map[string]any{"inputs": items, "resultCount": 10})
	counts := map[string]int{}
	for _, r := range results(outs) {
		counts[r]++
	}
	for _, item := range items {
		if n := counts[item.(string)]; n < 2 || n > 3 {
			t.Errorf("10 results from 4 items repeat %s %d times: %v", item, n, results(outs))
		}
	}
	_, a := up(t, s, tShuffle, map[string]any{"inputs": items, "seed": "s"})
	_, b := up(t, s, tShuffle, map[string]any{"inputs": items, "seed": "s"})
	if strings.Join(results(a), "") != strings.Join(results(b), "") {
		t.Errorf("the same seed gave %v and %v", results(a), results(b))
	}
	_, outs = up(t, s, tShuffle, map[string]any{"inputs": []any{}})
	if !outs["results"].IsArray() || len(outs["results"].ArrayValue()) != 0 {
		t.Errorf("empty inputs give %v", outs["results"])
	}
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestReadReturnsStateUnchanged(t *testing.T) {
	s := newServer("4.21.2")
	id, outs := up(t, s, tString, map[string]any{"length": 8})
	inputs := mustCheck(t, s, tString, props(map[string]any{"length": 8}))
	resp, err := s.Read(ctx, &pulumirpc.ReadRequest{
		Id: id, Urn: urnOf(tString), Properties: toStruct(t, outs), Inputs: toStruct(t, inputs),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetId() != id || !fromStruct(t, resp.GetProperties()).DeepEquals(outs) ||
		!fromStruct(t, resp.GetInputs()).DeepEquals(inputs) {
		t.Errorf("Read changed the state: %v", resp)
	}
}

func TestImport(t *testing.T) {
	s := newServer("4.21.2")
	read := func(token, id string) (*pulumirpc.ReadResponse, error) {
		return s.Read(ctx, &pulumirpc.ReadRequest{Id: id, Urn: urnOf(token)})
	}
	resp, err := read(tInteger, "15390,1,50000")
	if err != nil {
		t.Fatal(err)
	}
	outs := fromStruct(t, resp.GetProperties())
	if resp.GetId() != "15390" || outs["result"].NumberValue() != 15390 || outs["max"].NumberValue() != 50000 {
		t.Errorf("import RandomInteger: %v", resp)
	}
	resp, err = read(tID, "my-prefix-,p-9hUg")
	if err != nil {
		t.Fatal(err)
	}
	outs = fromStruct(t, resp.GetProperties())
	if resp.GetId() != "p-9hUg" || str(t, outs, "b64Url") != "my-prefix-p-9hUg" || outs["byteLength"].NumberValue() != 4 {
		t.Errorf("import RandomId: %v", outs)
	}
	resp, err = read(tString, "hello")
	if err != nil {
		t.Fatal(err)
	}
	inputs := fromStruct(t, resp.GetInputs())
	if str(t, fromStruct(t, resp.GetProperties()), "result") != "hello" || inputs["length"].NumberValue() != 5 ||
		!inputs["upper"].BoolValue() {
		t.Errorf("import RandomString: %v", resp)
	}
	if _, err := read(tInteger, "nope"); err == nil || !strings.Contains(err.Error(), "result,min,max") {
		t.Errorf("bad RandomInteger import ID: err = %v", err)
	}
	if _, err := read(tPet, "happy-cat"); err == nil || !strings.Contains(err.Error(), "RandomPet cannot be imported") {
		t.Errorf("RandomPet import: err = %v", err)
	}
}

func TestDeleteAndUpdate(t *testing.T) {
	s := newServer("4.21.2")
	id, outs := up(t, s, tUUID, map[string]any{})
	if _, err := s.Delete(ctx, &pulumirpc.DeleteRequest{Id: id, Urn: urnOf(tUUID), Properties: toStruct(t, outs)}); err != nil {
		t.Errorf("Delete: %v", err)
	}
	news := mustCheck(t, s, tUUID, props(map[string]any{"keepers": map[string]any{"a": "b"}}))
	resp, err := s.Update(ctx, &pulumirpc.UpdateRequest{Id: id, Urn: urnOf(tUUID), Olds: toStruct(t, outs), News: toStruct(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	updated := fromStruct(t, resp.GetProperties())
	if str(t, updated, "result") != id || !updated["keepers"].DeepEquals(news["keepers"]) {
		t.Errorf("Update should keep the result and take the new inputs: %v", updated)
	}
}

func TestPluginInfoSchemaAndConfig(t *testing.T) {
	s := newServer("4.21.2")
	info, err := s.GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil || info.GetVersion() != "4.21.2" {
		t.Errorf("GetPluginInfo = %v, %v", info, err)
	}
	resp, err := s.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Name      string                     `json:"name"`
		Version   string                     `json:"version"`
		Resources map[string]json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal([]byte(resp.GetSchema()), &schema); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if schema.Name != "random" || schema.Version != "4.21.2" || len(schema.Resources) != 10 {
		t.Errorf("schema: name %q version %q with %d resources", schema.Name, schema.Version, len(schema.Resources))
	}
	cfg := toStruct(t, props(map[string]any{"version": "4.21.2"}))
	if c, err := s.CheckConfig(ctx, &pulumirpc.CheckRequest{News: cfg}); err != nil || len(c.GetFailures()) > 0 {
		t.Errorf("CheckConfig: %v %v", c, err)
	}
	newer := toStruct(t, props(map[string]any{"version": "4.22.0"}))
	d, err := s.DiffConfig(ctx, &pulumirpc.DiffRequest{OldInputs: cfg, Olds: cfg, News: newer})
	if err != nil || len(d.GetReplaces()) > 0 {
		t.Errorf("DiffConfig must never replace the provider: %v %v", d, err)
	}
	c, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true})
	if err != nil || !c.GetSupportsPreview() || !c.GetAcceptSecrets() {
		t.Errorf("Configure = %v, %v", c, err)
	}
}
