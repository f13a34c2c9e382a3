// Command kubelet is a fake kubelet for the end-to-end tests: it asks an
// image credential provider (an exec plugin) for the credentials of one
// image the way the kubelet's exec-plugin code does, decodes the answer as
// strictly as the kubelet does, and picks the credential the kubelet's
// keyring would try first for that image.
//
// Usage:
//
//	kubelet -plugin PATH [-arg ARG]... -api-version V -image IMAGE
//	        [-sa-token-file FILE] [-env NAME=VALUE]... [-out FILE]
//
// Stdout: one summary line, never a secret:
//
//	key=<key> username=<username> cacheKeyType=<t> cacheDuration=<d|none> auth=<n>
//
// (key=none username=none when no auth entry matches the image). The chosen
// credential goes to -out (mode 0600) as JSON {"key","username","password",
// "cacheKeyType","cacheDuration"}; -out is removed when nothing matches.
// The plugin's stderr is copied to stderr when it succeeds.
//
// Exit status: 0 answered (even with an empty auth map), 2 usage, 3 the
// plugin failed (non-zero exit, timeout: "plugin failed: <exit>: <stderr>"
// on stderr), 4 the response was rejected (it would be dropped).
//
// Written from the documented behaviour of the kubelet (see
// /work/shared/PROTOCOLS.md section 4); no Kubernetes code is copied.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
	"time"
)

// The API versions the kubelet accepts in a CredentialProviderConfig.
var apiVersions = map[string]bool{
	"credentialprovider.kubelet.k8s.io/v1":       true,
	"credentialprovider.kubelet.k8s.io/v1beta1":  true,
	"credentialprovider.kubelet.k8s.io/v1alpha1": true,
}

const pluginTimeout = time.Minute

// field is one node of the response schema: its JSON kind and, for objects,
// the exact (case-sensitive) member names; for maps, the value's schema.
type field struct {
	kind    string // "string", "duration", "object", "map"
	members map[string]*field
	values  *field
}

// responseSchema is the whole CredentialProviderResponse, field for field,
// as defined in k8s.io/kubelet/pkg/apis/credentialprovider/v1/types.go
// (CredentialProviderResponse and AuthConfig; v1beta1 and v1alpha1 have the
// same fields). Nothing outside this table is accepted.
var responseSchema = &field{kind: "object", members: map[string]*field{
	"apiVersion":    {kind: "string"},
	"kind":          {kind: "string"},
	"cacheKeyType":  {kind: "string"},
	"cacheDuration": {kind: "duration"}, // metav1.Duration: a Go duration string
	"auth": {kind: "map", values: &field{kind: "object", members: map[string]*field{
		"username": {kind: "string"},
		"password": {kind: "string"},
	}}},
}}

var cacheKeyTypes = map[string]bool{"Image": true, "Registry": true, "Global": true}

type request struct {
	APIVersion          string `json:"apiVersion"`
	Kind                string `json:"kind"`
	Image               string `json:"image"`
	ServiceAccountToken string `json:"serviceAccountToken,omitempty"`
}

type authConfig struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type response struct {
	APIVersion    string                `json:"apiVersion"`
	Kind          string                `json:"kind"`
	CacheKeyType  string                `json:"cacheKeyType"`
	CacheDuration *string               `json:"cacheDuration"`
	Auth          map[string]authConfig `json:"auth"`
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func usage(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "fake-kubelet: "+format+"\n", args...)
	os.Exit(2)
}

func reject(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "fake-kubelet: response dropped: "+format+"\n", args...)
	os.Exit(4)
}

func main() {
	var args, envs listFlag
	plugin := flag.String("plugin", "", "credential provider binary")
	apiVersion := flag.String("api-version", "credentialprovider.kubelet.k8s.io/v1", "request apiVersion")
	image := flag.String("image", "", "image to ask about")
	saTokenFile := flag.String("sa-token-file", "", "file holding the pod's service account token")
	out := flag.String("out", "", "file for the chosen credential (mode 0600)")
	flag.Var(&args, "arg", "plugin argument (repeatable)")
	flag.Var(&envs, "env", "NAME=VALUE added to the plugin's environment (repeatable)")
	flag.Parse()
	if *plugin == "" || *image == "" || flag.NArg() != 0 {
		usage("-plugin and -image are required; no positional arguments")
	}
	if !apiVersions[*apiVersion] {
		usage("unsupported -api-version %q", *apiVersion)
	}
	for _, e := range envs {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
			usage("-env wants NAME=VALUE, got %q", e)
		}
	}

	req := request{APIVersion: *apiVersion, Kind: "CredentialProviderRequest", Image: *image}
	if *saTokenFile != "" {
		// Service-account tokens are sent only with the v1 API.
		if !strings.HasSuffix(*apiVersion, "/v1") {
			usage("-sa-token-file needs the v1 API")
		}
		b, err := os.ReadFile(*saTokenFile)
		if err != nil {
			usage("reading the service account token: %v", err)
		}
		req.ServiceAccountToken = strings.TrimRight(string(b), "\r\n")
	}
	reqJSON, err := json.Marshal(req)
	if err != nil {
		usage("encoding the request: %v", err)
	}

	stdout, stderr, err := runPlugin(*plugin, args, envs, reqJSON)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plugin failed: %v: %s\n", err, strings.TrimRight(string(stderr), "\n"))
		os.Exit(3)
	}
	os.Stderr.Write(stderr)

	resp := decodeResponse(stdout, *apiVersion)
	if req.ServiceAccountToken != "" {
		// The kubelet refuses an echoed token unless its cache type is Token;
		// this fake plays a kubelet caching per service account.
		for _, a := range resp.Auth {
			if a.Password == req.ServiceAccountToken {
				reject("a password equals the service account token")
			}
		}
	}

	duration := "none"
	if resp.CacheDuration != nil {
		duration = *resp.CacheDuration
	}
	key, found := lookup(resp.Auth, *image)
	if !found {
		if *out != "" {
			if err := os.Remove(*out); err != nil && !errors.Is(err, os.ErrNotExist) {
				usage("removing %s: %v", *out, err)
			}
		}
		fmt.Printf("key=none username=none cacheKeyType=%s cacheDuration=%s auth=%d\n",
			resp.CacheKeyType, duration, len(resp.Auth))
		return
	}
	a := resp.Auth[key]
	if *out != "" {
		writeOut(*out, map[string]interface{}{
			"key": key, "username": a.Username, "password": a.Password,
			"cacheKeyType": resp.CacheKeyType, "cacheDuration": resp.CacheDuration,
		})
	}
	fmt.Printf("key=%s username=%s cacheKeyType=%s cacheDuration=%s auth=%d\n",
		key, a.Username, resp.CacheKeyType, duration, len(resp.Auth))
}

// runPlugin runs the plugin as the kubelet does: the request on stdin, its
// own environment plus the configured variables, killed after a minute.
// A failure is described by its exit status ("1", "signal: killed") or, after
// the minute, "timed out after 1m0s".
func runPlugin(plugin string, args, envs []string, reqJSON []byte) ([]byte, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pluginTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, plugin, args...)
	cmd.Env = append(os.Environ(), envs...)
	cmd.Stdin = bytes.NewReader(reqJSON)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, stderr.Bytes(), fmt.Errorf("timed out after %v", pluginTimeout)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if code := exitErr.ExitCode(); code >= 0 {
			return nil, stderr.Bytes(), fmt.Errorf("%d", code)
		}
		return nil, stderr.Bytes(), errors.New(exitErr.ProcessState.String())
	}
	if err != nil {
		return nil, stderr.Bytes(), err
	}
	return stdout.Bytes(), stderr.Bytes(), nil
}

// decodeResponse decodes strictly: one JSON object, no duplicate members,
// exactly the schema's member names (case-sensitive), the right types, the
// request's apiVersion, kind CredentialProviderResponse, a valid
// cacheKeyType and a parsable cacheDuration. Anything else exits 4.
func decodeResponse(data []byte, apiVersion string) response {
	v, err := parseNoDuplicates(data)
	if err != nil {
		reject("not strict JSON: %v", err)
	}
	if err := validate(v, responseSchema, "response"); err != nil {
		reject("%v", err)
	}
	var resp response
	if err := json.Unmarshal(data, &resp); err != nil {
		reject("decoding: %v", err)
	}
	if resp.APIVersion != apiVersion {
		reject("apiVersion %q does not match the request's %q", resp.APIVersion, apiVersion)
	}
	if resp.Kind != "CredentialProviderResponse" {
		reject("kind %q is not CredentialProviderResponse", resp.Kind)
	}
	if !cacheKeyTypes[resp.CacheKeyType] {
		reject("invalid cacheKeyType %q", resp.CacheKeyType)
	}
	if resp.CacheDuration != nil {
		if _, err := time.ParseDuration(*resp.CacheDuration); err != nil {
			reject("cacheDuration: %v", err)
		}
	}
	return resp
}

// parseNoDuplicates parses one JSON value into maps, slices and scalars,
// refusing a member name that appears twice in an object and anything after
// the value.
func parseNoDuplicates(data []byte) (interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (interface{}, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]interface{}{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if _, dup := obj[k]; dup {
					return nil, fmt.Errorf("duplicate member %q", k)
				}
				if obj[k], err = parseValue(dec); err != nil {
					return nil, err
				}
			}
			_, err := dec.Token() // '}'
			return obj, err
		case '[':
			arr := []interface{}{}
			for dec.More() {
				e, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, e)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return tok, nil
	}
}

// validate checks v against f; null is accepted anywhere (it decodes to the
// zero value, as in Go).
func validate(v interface{}, f *field, where string) error {
	if v == nil {
		return nil
	}
	switch f.kind {
	case "string", "duration":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: want a string, got %T", where, v)
		}
	case "object":
		obj, ok := v.(map[string]interface{})
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", where, v)
		}
		for k, mv := range obj {
			mf, known := f.members[k]
			if !known {
				return fmt.Errorf("%s: unknown field %q", where, k)
			}
			if err := validate(mv, mf, where+"."+k); err != nil {
				return err
			}
		}
	case "map":
		obj, ok := v.(map[string]interface{})
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", where, v)
		}
		for k, mv := range obj {
			if err := validate(mv, f.values, fmt.Sprintf("%s[%q]", where, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookup returns the auth key the kubelet's keyring tries first for image:
// among the keys matching it, the longest.
func lookup(auth map[string]authConfig, image string) (string, bool) {
	var keys []string
	for k := range auth {
		if keyMatches(k, image) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", false
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] > keys[j]
	})
	return keys[0], true
}

// keyMatches: both parsed as https:// URLs, equal ports, the same number of
// host labels each matching as a glob, and the key's path a string prefix
// of the image's.
func keyMatches(key, image string) bool {
	k, err := url.Parse("https://" + key)
	if err != nil {
		return false
	}
	im, err := url.Parse("https://" + image)
	if err != nil {
		return false
	}
	if k.Port() != im.Port() {
		return false
	}
	kl, il := strings.Split(k.Hostname(), "."), strings.Split(im.Hostname(), ".")
	if len(kl) != len(il) {
		return false
	}
	for i := range kl {
		if m, err := path.Match(kl[i], il[i]); err != nil || !m {
			return false
		}
	}
	return strings.HasPrefix(im.Path, k.Path)
}

func writeOut(name string, v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		usage("encoding -out: %v", err)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err == nil {
		err = f.Chmod(0o600)
		if _, werr := f.Write(append(b, '\n')); err == nil {
			err = werr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		usage("writing -out: %v", err)
	}
}
