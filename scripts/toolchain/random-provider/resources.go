package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
)

// The type tokens and property names below are the ones the @pulumi/random
// 4.21.2 SDK sends (see its random*.js files).

const keepersDesc = "Arbitrary map of values that, when changed, will trigger recreation of resource."

var keepers = property{name: "keepers", kind: kindStringMap, input: true, desc: keepersDesc}

func output(name string, k kind, desc string) property {
	return property{name: name, kind: k, always: true, desc: desc}
}

func secretOutput(name string, k kind, desc string) property {
	p := output(name, k, desc)
	p.secret = true
	return p
}

func init() {
	register(stringType("random:index/randomString:RandomString",
		"Generates a random permutation of alphanumeric characters and optionally special characters.", false))
	register(stringType("random:index/randomPassword:RandomPassword",
		"Identical to RandomString except that the result is a secret and its bcrypt hash is also returned.", true))
	register(integerType)
	register(idType)
	register(bytesType)
	register(petType)
	register(shuffleType)
	register(uuidType("random:index/randomUuid:RandomUuid", "Generates a random UUID (version 4).", uuidV4))
	register(uuidType("random:index/randomUuid4:RandomUuid4", "Generates a random version 4 UUID.", uuidV4))
	register(uuidType("random:index/randomUuid7:RandomUuid7", "Generates a time-ordered version 7 UUID.",
		func() string { return uuidV7(time.Now().UnixMilli()) }))
}

// --- RandomString and RandomPassword ---------------------------------------

func stringType(token, desc string, password bool) *resourceType {
	flag := func(name, desc string) property {
		return property{name: name, kind: kindBool, input: true, always: true, def: true,
			desc: desc + " Default value is `true`."}
	}
	minimum := func(name, what string) property {
		return property{name: name, kind: kindInteger, input: true, always: true, def: 0.0,
			desc: "Minimum number of " + what + " characters in the result. Default value is `0`."}
	}
	result := output("result", kindString, "The generated random string.")
	result.secret = password
	props := []property{
		keepers,
		{name: "length", kind: kindInteger, input: true, required: true, always: true,
			desc: "The length of the string desired. The minimum value for length is 1 and, length must also be >= " +
				"(`minUpper` + `minLower` + `minNumeric` + `minSpecial`)."},
		flag("lower", "Include lowercase alphabet characters in the result."),
		minimum("minLower", "lowercase alphabet"),
		minimum("minNumeric", "numeric"),
		minimum("minSpecial", "special"),
		minimum("minUpper", "uppercase alphabet"),
		flag("number", "Include numeric characters in the result (deprecated: use `numeric`)."),
		flag("numeric", "Include numeric characters in the result."),
		{name: "overrideSpecial", kind: kindString, input: true,
			desc: "Supply your own list of special characters to use for string generation."},
		result,
		flag("special", "Include special characters in the result. These are `"+defaultSpecial+"`."),
		flag("upper", "Include uppercase alphabet characters in the result."),
	}
	if password {
		props = append(props, secretOutput("bcryptHash", kindString, "A bcrypt hash of the generated random string."))
	}
	return &resourceType{
		token:    token,
		desc:     desc,
		props:    props,
		prepare:  syncNumberNumeric,
		validate: validateStringParams,
		generate: func(in values) (string, resource.PropertyMap, error) {
			s, err := generateString(secureRand(), stringParamsOf(in))
			if err != nil {
				return "", nil, err
			}
			if !password {
				return s, resource.PropertyMap{"result": resource.NewStringProperty(s)}, nil
			}
			outs, err := passwordOutputs(s)
			return "none", outs, err
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			if id == "" {
				return "", nil, nil, fmt.Errorf("the ID to import must be the string itself")
			}
			inputs := resource.PropertyMap{"length": resource.NewNumberProperty(float64(utf8.RuneCountInString(id)))}
			if !password {
				return id, inputs, resource.PropertyMap{"result": resource.NewStringProperty(id)}, nil
			}
			outs, err := passwordOutputs(id)
			return "none", inputs, outs, err
		},
	}
}

func passwordOutputs(password string) (resource.PropertyMap, error) {
	// bcrypt only reads the first 72 bytes of a password (and the Go
	// implementation refuses longer ones), so hash exactly those.
	b := []byte(password)
	if len(b) > 72 {
		b = b[:72]
	}
	hash, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("hashing the password: %w", err)
	}
	return resource.PropertyMap{
		"result":     resource.MakeSecret(resource.NewStringProperty(password)),
		"bcryptHash": resource.MakeSecret(resource.NewStringProperty(string(hash))),
	}, nil
}

// syncNumberNumeric makes the deprecated `number` and its replacement
// `numeric` agree: setting one sets the other.
func syncNumberNumeric(in resource.PropertyMap) []*pulumirpc.CheckFailure {
	number, hasNumber := in["number"]
	numeric, hasNumeric := in["numeric"]
	switch {
	case hasNumber && !hasNumeric:
		in["numeric"] = number
	case hasNumeric && !hasNumber:
		in["number"] = numeric
	case hasNumber && hasNumeric:
		n, m := plain(number), plain(numeric)
		if n.IsBool() && m.IsBool() && n.BoolValue() != m.BoolValue() {
			return []*pulumirpc.CheckFailure{failure("number",
				"number (%v) and numeric (%v) disagree: number is a deprecated alias of numeric; set only numeric",
				n.BoolValue(), m.BoolValue())}
		}
	}
	return nil
}

func stringParamsOf(in values) stringParams {
	return stringParams{
		length:          int(in.int("length")),
		upper:           in.bool("upper"),
		lower:           in.bool("lower"),
		numeric:         in.bool("numeric") && in.bool("number"),
		special:         in.bool("special"),
		minUpper:        int(in.int("minUpper")),
		minLower:        int(in.int("minLower")),
		minNumeric:      int(in.int("minNumeric")),
		minSpec:         int(in.int("minSpecial")),
		overrideSpecial: in.str("overrideSpecial"),
	}
}

func validateStringParams(in values) []*pulumirpc.CheckFailure {
	var failures []*pulumirpc.CheckFailure
	if in.has("length") && in.int("length") < 1 {
		failures = append(failures, failure("length", "length must be at least 1, got %d", in.int("length")))
	}
	mins := []struct{ min, class string }{
		{"minUpper", "upper"}, {"minLower", "lower"}, {"minNumeric", "numeric"}, {"minSpecial", "special"},
	}
	allKnown := in.has("length")
	var sum int64
	for _, m := range mins {
		if !in.has(m.min) {
			allKnown = false
			continue
		}
		n := in.int(m.min)
		sum += n
		switch {
		case n < 0:
			failures = append(failures, failure(m.min, "%s must not be negative, got %d", m.min, n))
		case n > 0 && in.has(m.class) && !in.bool(m.class):
			failures = append(failures, failure(m.min,
				"%s is %d but %s is false: a minimum needs its character class enabled", m.min, n, m.class))
		}
	}
	if allKnown && in.int("length") >= 1 && sum > in.int("length") {
		failures = append(failures, failure("length",
			"length (%d) must be at least minUpper + minLower + minNumeric + minSpecial (%d)", in.int("length"), sum))
	}
	if in.has("upper", "lower", "numeric", "special") &&
		!in.bool("upper") && !in.bool("lower") && !in.bool("numeric") && !in.bool("special") {
		failures = append(failures, failure("upper", "at least one of upper, lower, numeric and special must be true"))
	}
	if in.has("special", "overrideSpecial") && in.bool("special") {
		if s := in.str("overrideSpecial"); s != "" && len(runeSet(s)) == 0 {
			failures = append(failures, failure("overrideSpecial", "overrideSpecial has no usable characters"))
		}
	}
	return failures
}

// --- RandomInteger ----------------------------------------------------------

var integerType = &resourceType{
	token: "random:index/randomInteger:RandomInteger",
	desc:  "Generates a random integer in the inclusive range [min, max].",
	props: []property{
		keepers,
		{name: "max", kind: kindInteger, input: true, required: true, always: true,
			desc: "The maximum inclusive value of the range."},
		{name: "min", kind: kindInteger, input: true, required: true, always: true,
			desc: "The minimum inclusive value of the range."},
		output("result", kindInteger, "The random integer result."),
		{name: "seed", kind: kindString, input: true, desc: "A custom seed to always produce the same value."},
	},
	validate: func(in values) []*pulumirpc.CheckFailure {
		if in.has("min", "max") && in.int("max") < in.int("min") {
			return []*pulumirpc.CheckFailure{failure("max",
				"max (%d) must be greater than or equal to min (%d)", in.int("max"), in.int("min"))}
		}
		return nil
	},
	generate: func(in values) (string, resource.PropertyMap, error) {
		r := secureRand()
		if seed := in.str("seed"); seed != "" {
			r = seededRand(seed)
		}
		lo, hi := in.int("min"), in.int("max")
		n := lo + int64(r.Uint64N(uint64(hi-lo)+1))
		return strconv.FormatInt(n, 10), resource.PropertyMap{"result": resource.NewNumberProperty(float64(n))}, nil
	},
	importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
		parts := strings.Split(id, ",")
		if len(parts) != 3 && len(parts) != 4 {
			return "", nil, nil, fmt.Errorf("the ID to import must be result,min,max or result,min,max,seed, got %q", id)
		}
		var nums [3]int64
		for i, name := range []string{"result", "min", "max"} {
			n, err := strconv.ParseInt(strings.TrimSpace(parts[i]), 10, 64)
			if err != nil {
				return "", nil, nil, fmt.Errorf("the %s in the ID %q is not an integer", name, id)
			}
			nums[i] = n
		}
		if nums[0] < nums[1] || nums[0] > nums[2] {
			return "", nil, nil, fmt.Errorf("the result %d is not within [%d, %d]", nums[0], nums[1], nums[2])
		}
		inputs := resource.PropertyMap{
			"min": resource.NewNumberProperty(float64(nums[1])),
			"max": resource.NewNumberProperty(float64(nums[2])),
		}
		if len(parts) == 4 {
			inputs["seed"] = resource.NewStringProperty(parts[3])
		}
		return strconv.FormatInt(nums[0], 10), inputs,
			resource.PropertyMap{"result": resource.NewNumberProperty(float64(nums[0]))}, nil
	},
}

// --- RandomId ---------------------------------------------------------------

var idType = &resourceType{
	token: "random:index/randomId:RandomId",
	desc:  "Generates random bytes intended as unique identifiers, in several encodings.",
	props: []property{
		output("b64Std", kindString, "The generated id presented in base64 without additional transformations."),
		output("b64Url", kindString, "The generated id presented in base64, using the URL-friendly character set."),
		{name: "byteLength", kind: kindInteger, input: true, required: true, always: true,
			desc: "The number of random bytes to produce. The minimum value is 1."},
		output("dec", kindString, "The generated id presented in non-padded decimal digits."),
		output("hex", kindString, "The generated id presented in padded hexadecimal digits."),
		keepers,
		{name: "prefix", kind: kindString, input: true,
			desc: "Arbitrary string to prefix the output values with, as-is."},
	},
	validate: func(in values) []*pulumirpc.CheckFailure {
		if in.has("byteLength") && in.int("byteLength") < 1 {
			return []*pulumirpc.CheckFailure{failure("byteLength",
				"byteLength must be at least 1, got %d", in.int("byteLength"))}
		}
		return nil
	},
	generate: func(in values) (string, resource.PropertyMap, error) {
		id, outs := idOutputs(randomBytes(int(in.int("byteLength"))), in.str("prefix"))
		return id, outs, nil
	},
	importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
		prefix, encoded := "", id
		if i := strings.LastIndex(id, ","); i >= 0 {
			prefix, encoded = id[:i], id[i+1:]
		}
		b, err := base64.RawURLEncoding.DecodeString(encoded)
		if err != nil || len(b) == 0 {
			return "", nil, nil, fmt.Errorf("the ID to import must be the unpadded URL-safe base64 of the bytes, "+
				"optionally preceded by prefix and a comma, got %q", id)
		}
		inputs := resource.PropertyMap{"byteLength": resource.NewNumberProperty(float64(len(b)))}
		if prefix != "" {
			inputs["prefix"] = resource.NewStringProperty(prefix)
		}
		newID, outs := idOutputs(b, prefix)
		return newID, inputs, outs, nil
	},
}

// idOutputs returns RandomId's ID (the unprefixed URL-safe base64, so that
// `pulumi import` round-trips) and its outputs, each with the prefix.
func idOutputs(b []byte, prefix string) (string, resource.PropertyMap) {
	b64url := base64.RawURLEncoding.EncodeToString(b)
	return b64url, resource.PropertyMap{
		"b64Url": resource.NewStringProperty(prefix + b64url),
		"b64Std": resource.NewStringProperty(prefix + base64.StdEncoding.EncodeToString(b)),
		"hex":    resource.NewStringProperty(prefix + hex.EncodeToString(b)),
		"dec":    resource.NewStringProperty(prefix + new(big.Int).SetBytes(b).String()),
	}
}

// --- RandomBytes ------------------------------------------------------------

var bytesType = &resourceType{
	token: "random:index/randomBytes:RandomBytes",
	desc:  "Generates random bytes intended as a secret or key; the results are secrets.",
	props: []property{
		secretOutput("base64", kindString, "The generated bytes presented in base64 string format."),
		secretOutput("hex", kindString, "The generated bytes presented in lowercase hexadecimal string format."),
		keepers,
		{name: "length", kind: kindInteger, input: true, required: true, always: true,
			desc: "The number of bytes requested. The minimum value for length is 1."},
	},
	validate: func(in values) []*pulumirpc.CheckFailure {
		if in.has("length") && in.int("length") < 1 {
			return []*pulumirpc.CheckFailure{failure("length", "length must be at least 1, got %d", in.int("length"))}
		}
		return nil
	},
	generate: func(in values) (string, resource.PropertyMap, error) {
		return "none", bytesOutputs(randomBytes(int(in.int("length")))), nil
	},
	importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
		b, err := base64.StdEncoding.DecodeString(id)
		if err != nil || len(b) == 0 {
			return "", nil, nil, fmt.Errorf("the ID to import must be the bytes in padded standard base64")
		}
		return "none", resource.PropertyMap{"length": resource.NewNumberProperty(float64(len(b)))}, bytesOutputs(b), nil
	},
}

func bytesOutputs(b []byte) resource.PropertyMap {
	return resource.PropertyMap{
		"base64": resource.MakeSecret(resource.NewStringProperty(base64.StdEncoding.EncodeToString(b))),
		"hex":    resource.MakeSecret(resource.NewStringProperty(hex.EncodeToString(b))),
	}
}

// --- RandomPet --------------------------------------------------------------

var petType = &resourceType{
	token: "random:index/randomPet:RandomPet",
	desc:  "Generates a random pet name (its ID) intended as a unique identifier.",
	props: []property{
		keepers,
		{name: "length", kind: kindInteger, input: true, always: true, def: 2.0,
			desc: "The length (in words) of the pet name. Defaults to 2"},
		{name: "prefix", kind: kindString, input: true, desc: "A string to prefix the name with."},
		{name: "separator", kind: kindString, input: true, always: true, def: "-",
			desc: "The character to separate words in the pet name. Defaults to \"-\""},
	},
	validate: func(in values) []*pulumirpc.CheckFailure {
		if in.has("length") && in.int("length") < 1 {
			return []*pulumirpc.CheckFailure{failure("length", "length must be at least 1, got %d", in.int("length"))}
		}
		return nil
	},
	generate: func(in values) (string, resource.PropertyMap, error) {
		sep := in.str("separator")
		name := petName(secureRand(), int(in.int("length")), sep)
		if prefix := in.str("prefix"); prefix != "" {
			name = prefix + sep + name
		}
		return name, resource.PropertyMap{}, nil
	},
}

// --- RandomShuffle ----------------------------------------------------------

var shuffleType = &resourceType{
	token: "random:index/randomShuffle:RandomShuffle",
	desc:  "Generates a random permutation of a list of strings.",
	props: []property{
		{name: "inputs", kind: kindStringList, input: true, required: true, always: true,
			desc: "The list of strings to shuffle."},
		keepers,
		{name: "resultCount", kind: kindInteger, input: true,
			desc: "The number of results to return. Defaults to the number of items in the `inputs` list."},
		output("results", kindStringList, "Random permutation of the list of strings given in `inputs`."),
		{name: "seed", kind: kindString, input: true,
			desc: "Arbitrary string with which to seed the random number generator, for less-volatile permutations."},
	},
	validate: func(in values) []*pulumirpc.CheckFailure {
		if !in.has("resultCount") {
			return nil
		}
		n := in.int("resultCount")
		switch {
		case n < 0:
			return []*pulumirpc.CheckFailure{failure("resultCount", "resultCount must not be negative, got %d", n)}
		case n > 0 && in.has("inputs") && len(in.strings("inputs")) == 0:
			return []*pulumirpc.CheckFailure{failure("resultCount",
				"resultCount is %d but inputs is empty: there is nothing to choose from", n)}
		}
		return nil
	},
	generate: func(in values) (string, resource.PropertyMap, error) {
		items := in.strings("inputs")
		count := len(items)
		if in.has("resultCount") {
			count = int(in.int("resultCount"))
		}
		r := secureRand()
		if seed := in.str("seed"); seed != "" {
			r = seededRand(seed)
		}
		var results []resource.PropertyValue
		for _, s := range shuffleList(r, items, count) {
			results = append(results, resource.NewStringProperty(s))
		}
		if results == nil {
			results = []resource.PropertyValue{}
		}
		return "-", resource.PropertyMap{"results": resource.NewArrayProperty(results)}, nil
	},
}

// --- RandomUuid, RandomUuid4, RandomUuid7 ------------------------------------

func uuidType(token, desc string, gen func() string) *resourceType {
	return &resourceType{
		token: token,
		desc:  desc,
		props: []property{
			keepers,
			output("result", kindString, "The generated uuid presented in string format."),
		},
		generate: func(values) (string, resource.PropertyMap, error) {
			u := gen()
			return u, resource.PropertyMap{"result": resource.NewStringProperty(u)}, nil
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			if !isUUID(id) {
				return "", nil, nil, fmt.Errorf("the ID to import must be a UUID (8-4-4-4-12 hex digits), got %q", id)
			}
			return id, resource.PropertyMap{}, resource.PropertyMap{"result": resource.NewStringProperty(id)}, nil
		},
	}
}
