// Command goclient drives a credential helper through the client library
// the Docker CLI uses (github.com/docker/docker-credential-helpers/client)
// and prints one TAP-style line per check: "ok - ..." or "not ok - ...".
//
// Usage: goclient HELPER-PROGRAM-NAME
//
// Secrets are built in this program; none is passed in argv.
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
)

var failed int

func report(good bool, format string, args ...interface{}) bool {
	desc := fmt.Sprintf(format, args...)
	if good {
		fmt.Println("ok - go client: " + desc)
	} else {
		failed++
		fmt.Println("not ok - go client: " + desc)
	}
	return good
}

func diag(format string, args ...interface{}) {
	fmt.Printf("#   "+format+"\n", args...)
}

// errText describes an error without echoing secrets (the library's errors
// contain only the helper's stdout, which must never hold a secret here).
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// helperOut extracts the helper's trimmed stdout from an error of this
// version of the client library ("... err: ..., out: `TEXT`"). The library
// (0.6.4) formats store/erase/list errors with %v, so the typed errors are
// only reachable through the message.
var outRe = regexp.MustCompile("(?s)out: `(.*)`$")

func helperOut(err error) string {
	if err == nil {
		return ""
	}
	m := outRe.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	return m[1]
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goclient HELPER")
		os.Exit(2)
	}
	p := client.NewShellProgramFunc(os.Args[1])
	const host = "goclient.e2e.example.test"

	// cleanup of everything this program may store
	defer func() {
		for _, k := range []string{host, host + ":5000", "tok.e2e.example.test", "nul.e2e.example.test", "empty.e2e.example.test"} {
			_ = client.Erase(p, k)
		}
	}()

	// ---- round trip
	c := &credentials.Credentials{ServerURL: host, Username: "gouser", Secret: "go-secret-1-Pw7"}
	err := client.Store(p, c)
	report(err == nil, "store %s", host)
	if err != nil {
		diag("%s", errText(err))
	}
	for _, k := range []string{host, "https://" + host, host + ":443", "https://" + host + "/v2/"} {
		got, err := client.Get(p, k)
		if report(err == nil && got != nil && got.Username == "gouser" && got.Secret == c.Secret && got.ServerURL == k,
			"get %q returns the stored credential and echoes the URL", k) {
			continue
		}
		if err != nil {
			diag("%s", errText(err))
		} else if got != nil {
			diag("ServerURL=%q Username=%q secret-matches=%v", got.ServerURL, got.Username, got.Secret == c.Secret)
		}
	}

	// replace with another username: get must return the new one
	c2 := &credentials.Credentials{ServerURL: "https://" + host, Username: "gouser2", Secret: "go-secret-2-Tr4"}
	err = client.Store(p, c2)
	report(err == nil, "store %s again with another username", c2.ServerURL)
	got, err := client.Get(p, host)
	report(err == nil && got.Username == "gouser2" && got.Secret == c2.Secret, "get returns the newer credential")

	// ---- list
	l, err := client.List(p)
	if report(err == nil, "list succeeds") {
		report(l[host] == "gouser2", "list maps canonical key %q to gouser2 (got %q)", host, l[host])
		for _, bad := range []string{"https://" + host, "https://" + host + "/"} {
			_, present := l[bad]
			report(!present, "list has no non-canonical key %q", bad)
		}
		allGet := true
		for k, u := range l {
			g, err := client.Get(p, k)
			if err != nil || g.Username != u {
				allGet = false
				diag("listed key %q (user %q) not accepted by get: %s", k, u, errText(err))
			}
		}
		report(allGet, "every listed key (%d) is accepted by get and yields the listed username", len(l))
	} else {
		diag("%s", errText(err))
	}

	// ---- erase
	err = client.Erase(p, "http://"+host)
	report(err == nil, "erase via http://%s", host)
	_, err = client.Get(p, host)
	report(credentials.IsErrCredentialsNotFound(err), "get after erase: IsErrCredentialsNotFound (err=%s)", errText(err))
	err = client.Erase(p, host)
	report(err == nil, "erase of an absent entry succeeds (err=%s)", errText(err))
	_, err = client.Get(p, "absent.e2e.example.test")
	report(credentials.IsErrCredentialsNotFound(err), "get of a never-stored server: IsErrCredentialsNotFound (err=%s)", errText(err))
	_, err = client.Get(p, "absent.e2e.example.test:5000")
	report(credentials.IsErrCredentialsNotFound(err), "get of a never-stored server:port: IsErrCredentialsNotFound (err=%s)", errText(err))
	l, err = client.List(p)
	_, present := l[host]
	report(err == nil && !present, "list after erase has no %q", host)

	// ---- validation errors
	err = client.Store(p, &credentials.Credentials{ServerURL: "", Username: "u", Secret: "x"})
	report(err != nil && (credentials.IsCredentialsMissingServerURL(err) ||
		credentials.IsCredentialsMissingServerURLMessage(helperOut(err))),
		"store with empty ServerURL: missing-server-URL error (err=%s)", errText(err))
	err = client.Store(p, &credentials.Credentials{ServerURL: host, Username: "", Secret: "x"})
	report(err != nil && (credentials.IsCredentialsMissingUsername(err) ||
		credentials.IsCredentialsMissingUsernameMessage(helperOut(err))),
		"store with empty Username: missing-username error (err=%s)", errText(err))
	_, err = client.Get(p, host)
	report(credentials.IsErrCredentialsNotFound(err), "failed stores stored nothing")
	_, err = client.Get(p, "")
	report(credentials.IsCredentialsMissingServerURL(err) ||
		credentials.IsCredentialsMissingServerURLMessage(helperOut(err)),
		"get of an empty server URL: missing-server-URL error (err=%s)", errText(err))

	// ---- special secrets
	cases := []struct {
		name string
		c    credentials.Credentials
	}{
		{"empty Secret", credentials.Credentials{ServerURL: "empty.e2e.example.test", Username: "emptyuser", Secret: ""}},
		{"identity token (Username <token>)", credentials.Credentials{ServerURL: "tok.e2e.example.test", Username: "<token>", Secret: "eyJhbGciOiJSUzI1NiJ9.refresh-token-Qm2.sig"}},
		{"non-ASCII secret with an embedded NUL", credentials.Credentials{ServerURL: "nul.e2e.example.test", Username: "nüser", Secret: "a\u0000b✓"}},
		{"secret with quotes, backslashes, newline and tab", credentials.Credentials{ServerURL: host + ":5000", Username: "u s\"er", Secret: "q\"b\\n\n\tz-Lk9"}},
	}
	for _, tc := range cases {
		err := client.Store(p, &tc.c)
		if !report(err == nil, "%s: store", tc.name) {
			diag("%s", errText(err))
			continue
		}
		g, err := client.Get(p, tc.c.ServerURL)
		good := err == nil && g.Username == tc.c.Username && g.Secret == tc.c.Secret && g.ServerURL == tc.c.ServerURL
		report(good, "%s: round-trips exactly", tc.name)
		if !good {
			if err != nil {
				diag("%s", errText(err))
			} else {
				diag("Username=%q secret-len=%d want-len=%d", g.Username, len(g.Secret), len(tc.c.Secret))
			}
		}
		l, err := client.List(p)
		canon := strings.TrimSuffix(tc.c.ServerURL, "/")
		report(err == nil && l[canon] == tc.c.Username, "%s: list maps %q to %q", tc.name, canon, tc.c.Username)
		err = client.Erase(p, tc.c.ServerURL)
		report(err == nil, "%s: erase", tc.name)
	}

	if failed > 0 {
		os.Exit(1)
	}
}
