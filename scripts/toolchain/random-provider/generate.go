package main

import (
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"unicode/utf8"
)

// cryptoSource is a math/rand/v2 source whose every value comes from
// crypto/rand, so the unbiased helpers of math/rand/v2 (IntN, Shuffle) can be
// used on cryptographically secure randomness.
type cryptoSource struct{}

func (cryptoSource) Uint64() uint64 {
	var b [8]byte
	// crypto/rand.Read never fails (Go 1.24+: it crashes the program instead).
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// secureRand returns a generator backed by crypto/rand.
func secureRand() *mrand.Rand {
	return mrand.New(cryptoSource{})
}

// seededRand returns a deterministic generator for a user-supplied seed, for
// the resources whose `seed` input asks for reproducible results.
func seededRand(seed string) *mrand.Rand {
	return mrand.New(mrand.NewChaCha8(sha256.Sum256([]byte(seed))))
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return b
}

const (
	upperChars     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars     = "abcdefghijklmnopqrstuvwxyz"
	numericChars   = "0123456789"
	defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

// charClass is one class of characters a random string may draw from, with
// the minimum number of characters of the class the result must contain.
type charClass struct {
	chars []rune
	min   int
}

// runeSet returns the distinct characters of s in order.
func runeSet(s string) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, r := range s {
		if r == utf8.RuneError || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// stringParams are the inputs of RandomString and RandomPassword.
type stringParams struct {
	length                                  int
	upper, lower, numeric, special          bool
	minUpper, minLower, minNumeric, minSpec int
	overrideSpecial                         string
}

func (p stringParams) classes() []charClass {
	var classes []charClass
	if p.upper {
		classes = append(classes, charClass{runeSet(upperChars), p.minUpper})
	}
	if p.lower {
		classes = append(classes, charClass{runeSet(lowerChars), p.minLower})
	}
	if p.numeric {
		classes = append(classes, charClass{runeSet(numericChars), p.minNumeric})
	}
	if p.special {
		special := p.overrideSpecial
		if special == "" {
			special = defaultSpecial
		}
		classes = append(classes, charClass{runeSet(special), p.minSpec})
	}
	return classes
}

// generateString returns length characters (runes) drawn from the enabled
// classes, with at least each class's minimum, in a uniformly random order.
func generateString(r *mrand.Rand, p stringParams) (string, error) {
	classes := p.classes()
	var pool []rune
	seen := map[rune]bool{}
	out := make([]rune, 0, p.length)
	for _, c := range classes {
		if len(c.chars) == 0 {
			if c.min > 0 {
				return "", fmt.Errorf("a character class with a minimum of %d has no characters", c.min)
			}
			continue
		}
		for i := 0; i < c.min; i++ {
			out = append(out, c.chars[r.IntN(len(c.chars))])
		}
		for _, ch := range c.chars {
			if !seen[ch] {
				seen[ch] = true
				pool = append(pool, ch)
			}
		}
	}
	if len(out) > p.length {
		return "", fmt.Errorf("the minimums (%d characters) exceed the length %d", len(out), p.length)
	}
	if len(pool) == 0 && len(out) < p.length {
		return "", fmt.Errorf("no character class is enabled")
	}
	for len(out) < p.length {
		out = append(out, pool[r.IntN(len(pool))])
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return string(out), nil
}

// uuidV4 returns a random (version 4, RFC 9562) UUID.
func uuidV4() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// uuidV7 returns a time-ordered (version 7, RFC 9562) UUID for the given Unix
// time in milliseconds.
func uuidV7(unixMilli int64) string {
	b := randomBytes(16)
	ms := uint64(unixMilli)
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isUUID reports whether s is a UUID in the canonical 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// shuffleList returns count items of inputs: whole random permutations of the
// list one after another, so no item repeats more often than the list length
// allows.
func shuffleList(r *mrand.Rand, inputs []string, count int) []string {
	out := make([]string, 0, count)
	for len(out) < count && len(inputs) > 0 {
		perm := append([]string(nil), inputs...)
		r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		need := count - len(out)
		if need > len(perm) {
			need = len(perm)
		}
		out = append(out, perm[:need]...)
	}
	return out
}
