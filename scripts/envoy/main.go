// envoy-check decodes the Envoy resources of every CiliumEnvoyConfig and CiliumClusterwideEnvoyConfig found in
// JSON and YAML files with Envoy's own protobuf definitions (go-control-plane), since Kubernetes does not check
// what is inside `spec.resources`:
//
//   - each resource is decoded by its @type with strict protojson (unknown fields fail) and must be one of the
//     resource types a CEC may carry;
//   - every message, including each nested typed_config, passes its generated ValidateAll() (protoc-gen-validate);
//   - every nested @type, and the load-balancing policy of each cluster, must be an Envoy extension that the
//     cilium-envoy image of the target Cilium line compiles in (the list is lib/cilium/envoy-extensions.ts, exported
//     as JSON by scripts/envoy/extensions-json.ts);
//   - Cilium's own requirement: every HTTP connection manager ends with envoy.filters.http.router (Cilium inserts
//     its cilium.l7policy filter right before it).
//
// Usage: envoy-check -extensions extensions.json [-require-some] LINE=PATH... (PATH a file or a directory, searched recursively for
// *.json, *.yaml and *.yml; LINE a Cilium line such as 1.20). Strings inside JSON that hold JSON (manifests inlined
// into CloudFormation templates) are searched too. Identical objects found twice are checked once. Prints one line
// per problem and `envoy: N resources, M invalid`; exits 1 when M > 0, 2 on usage or input errors.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
	"gopkg.in/yaml.v3"

	// The resource types a CiliumEnvoyConfig may carry.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	// The extensions the library emits, and the fault filter (so that using it reads "not compiled", not "unknown").
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/least_request/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/maglev/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/random/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/ring_hash/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/round_robin/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
)

// extensionData is the JSON written by scripts/envoy/extensions-json.ts.
type extensionData struct {
	ResourceTypes []string `json:"resourceTypes"`
	Lines         map[string]struct {
		Version    string `json:"version"`
		Extensions []struct {
			Name     string   `json:"name"`
			TypeURLs []string `json:"typeUrls"`
		} `json:"extensions"`
		NotCompiled []struct {
			Name     string   `json:"name"`
			TypeURLs []string `json:"typeUrls"`
		} `json:"notCompiled"`
	} `json:"lines"`
}

// line is what one Cilium line allows.
type line struct {
	name        string
	version     string
	typeURLs    map[string]string // type URL -> extension name
	names       map[string]bool   // compiled extension names
	notCompiled map[string]string // type URL -> extension name
}

type checker struct {
	resourceTypes map[string]bool
	seen          map[string]bool
	resources     int
	invalid       int
	objects       int
}

func main() {
	extPath := flag.String("extensions", "", "JSON file written by scripts/envoy/extensions-json.ts")
	requireSome := flag.Bool("require-some", false, "fail when no resource is found (a check of nothing proves nothing)")
	flag.Parse()
	if *extPath == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: envoy-check -extensions extensions.json LINE=PATH...")
		os.Exit(2)
	}
	data, err := readExtensions(*extPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "envoy-check:", err)
		os.Exit(2)
	}
	c := &checker{resourceTypes: map[string]bool{}, seen: map[string]bool{}}
	for _, t := range data.ResourceTypes {
		c.resourceTypes[t] = true
	}
	for _, arg := range flag.Args() {
		lineName, path, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "envoy-check: argument %q is not LINE=PATH\n", arg)
			os.Exit(2)
		}
		l, err := lineOf(data, lineName)
		if err != nil {
			fmt.Fprintln(os.Stderr, "envoy-check:", err)
			os.Exit(2)
		}
		if err := c.checkPath(l, path); err != nil {
			fmt.Fprintln(os.Stderr, "envoy-check:", err)
			os.Exit(2)
		}
	}
	fmt.Printf("envoy: %d resources, %d invalid (%d CiliumEnvoyConfig objects)\n", c.resources, c.invalid, c.objects)
	if c.invalid > 0 {
		os.Exit(1)
	}
	if *requireSome && c.resources == 0 {
		fmt.Println("envoy: no CiliumEnvoyConfig resources found, so nothing was checked")
		os.Exit(1)
	}
}

func readExtensions(path string) (*extensionData, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d extensionData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(d.ResourceTypes) == 0 || len(d.Lines) == 0 {
		return nil, fmt.Errorf("%s: no resource types or lines", path)
	}
	return &d, nil
}

func lineOf(d *extensionData, name string) (*line, error) {
	src, ok := d.Lines[name]
	if !ok {
		known := make([]string, 0, len(d.Lines))
		for k := range d.Lines {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("no extension list for Cilium line %q (have %s)", name, strings.Join(known, ", "))
	}
	l := &line{name: name, version: src.Version, typeURLs: map[string]string{}, names: map[string]bool{}, notCompiled: map[string]string{}}
	for _, e := range src.Extensions {
		l.names[e.Name] = true
		for _, u := range e.TypeURLs {
			l.typeURLs[u] = e.Name
		}
	}
	for _, e := range src.NotCompiled {
		for _, u := range e.TypeURLs {
			l.notCompiled[u] = e.Name
		}
	}
	return l, nil
}

func (c *checker) checkPath(l *line, root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".json" && ext != ".yaml" && ext != ".yml" {
			return nil
		}
		docs, err := readDocuments(path, ext)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, doc := range docs {
			c.walk(l, path, doc)
		}
		return nil
	})
}

// readDocuments parses a JSON file, or every document of a YAML file, into plain Go values.
func readDocuments(path, ext string) ([]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if ext == ".json" {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		return []any{v}, nil
	}
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if v != nil {
			docs = append(docs, v)
		}
	}
	return docs, nil
}

// walk finds Cilium Envoy config objects anywhere in v, including inside strings that hold JSON.
func (c *checker) walk(l *line, file string, v any) {
	switch x := v.(type) {
	case map[string]any:
		kind, _ := x["kind"].(string)
		api, _ := x["apiVersion"].(string)
		if strings.HasPrefix(api, "cilium.io/") && (kind == "CiliumEnvoyConfig" || kind == "CiliumClusterwideEnvoyConfig") {
			c.checkObject(l, file, x)
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.walk(l, file, x[k])
		}
	case []any:
		for _, item := range x {
			c.walk(l, file, item)
		}
	case string:
		s := strings.TrimSpace(x)
		if len(s) > 1 && (s[0] == '{' || s[0] == '[') && strings.Contains(s, "EnvoyConfig") {
			var inner any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if dec.Decode(&inner) == nil {
				c.walk(l, file, inner)
			}
		}
	}
}

func (c *checker) checkObject(l *line, file string, obj map[string]any) {
	canonical, _ := json.Marshal(obj)
	sum := sha256.Sum256(append([]byte(l.name+"\x00"), canonical...))
	key := string(sum[:])
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.objects++
	meta, _ := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	where := fmt.Sprintf("%s: %s %s/%s (Cilium %s)", file, obj["kind"], ns, name, l.name)
	spec, _ := obj["spec"].(map[string]any)
	resources, _ := spec["resources"].([]any)
	if len(resources) == 0 {
		c.resources++
		c.invalid++
		fmt.Printf("%s: spec.resources is empty\n", where)
		return
	}
	for i, r := range resources {
		c.resources++
		if problems := c.checkResource(l, r); len(problems) > 0 {
			c.invalid++
			for _, p := range problems {
				fmt.Printf("%s resources[%d]: %s\n", where, i, p)
			}
		}
	}
}

// checkResource decodes one resource and returns its problems.
func (c *checker) checkResource(l *line, r any) []string {
	m, ok := r.(map[string]any)
	if !ok {
		return []string{"not an object"}
	}
	typeURL, _ := m["@type"].(string)
	if !c.resourceTypes[typeURL] {
		return []string{fmt.Sprintf("@type %q is not a type a CiliumEnvoyConfig may carry (Cilium refuses it: unsupported type)", typeURL)}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return []string{err.Error()}
	}
	var a anypb.Any
	// Strict: unknown fields fail (DiscardUnknown false); nested @types resolve through the imported packages.
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false, Resolver: protoregistry.GlobalTypes}).Unmarshal(raw, &a); err != nil {
		return []string{fmt.Sprintf("%s: %v", typeURL, err)}
	}
	msg, err := anypb.UnmarshalNew(&a, proto.UnmarshalOptions{Resolver: protoregistry.GlobalTypes})
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", typeURL, err)}
	}
	var problems []string
	c.checkMessage(l, typeURL, msg, &problems)
	return problems
}

// checkMessage runs ValidateAll on msg, checks Cilium's and the line's rules, and descends into every nested Any.
func (c *checker) checkMessage(l *line, path string, msg proto.Message, problems *[]string) {
	if v, ok := msg.(interface{ ValidateAll() error }); ok {
		if err := v.ValidateAll(); err != nil {
			*problems = append(*problems, fmt.Sprintf("%s: %v", path, err))
		}
	}
	switch x := msg.(type) {
	case *cluster.Cluster:
		if ext := lbExtension(x.GetLbPolicy()); ext != "" && !l.names[ext] {
			*problems = append(*problems, fmt.Sprintf("%s: lb_policy %s needs %s, which cilium-envoy of Cilium %s (%s) does not compile in",
				path, x.GetLbPolicy(), ext, l.name, l.version))
		}
	case *hcm.HttpConnectionManager:
		filters := x.GetHttpFilters()
		if len(filters) == 0 || filters[len(filters)-1].GetName() != "envoy.filters.http.router" {
			*problems = append(*problems, fmt.Sprintf("%s: http_filters must end with envoy.filters.http.router (Cilium inserts cilium.l7policy right before it)", path))
		}
	}
	c.eachAny(msg.ProtoReflect(), path, func(p string, a *anypb.Any) {
		url := a.GetTypeUrl()
		if _, ok := l.typeURLs[url]; !ok {
			if ext, known := l.notCompiled[url]; known {
				*problems = append(*problems, fmt.Sprintf("%s: %s (%s) is not compiled into cilium-envoy of Cilium %s (%s)", p, url, ext, l.name, l.version))
			} else {
				*problems = append(*problems, fmt.Sprintf("%s: %s is not in the cilium-envoy extension list of Cilium %s (lib/cilium/envoy-extensions.ts)", p, url, l.name))
			}
		}
		inner, err := anypb.UnmarshalNew(a, proto.UnmarshalOptions{Resolver: protoregistry.GlobalTypes})
		if err != nil {
			*problems = append(*problems, fmt.Sprintf("%s: %v", p, err))
			return
		}
		c.checkMessage(l, p+"<"+url[strings.LastIndex(url, "/")+1:]+">", inner, problems)
	})
}

// eachAny calls fn for every google.protobuf.Any directly reachable from m (not inside another Any).
func (c *checker) eachAny(m protoreflect.Message, path string, fn func(string, *anypb.Any)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := path + "." + string(fd.Name())
		visit := func(p string, mv protoreflect.Message) {
			if a, ok := mv.Interface().(*anypb.Any); ok {
				fn(p, a)
				return
			}
			c.eachAny(mv, p, fn)
		}
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				visit(fmt.Sprintf("%s[%d]", p, i), list.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			keys := []string{}
			values := map[string]protoreflect.Message{}
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				keys = append(keys, k.String())
				values[k.String()] = mv.Message()
				return true
			})
			sort.Strings(keys)
			for _, k := range keys {
				visit(fmt.Sprintf("%s[%q]", p, k), values[k])
			}
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			visit(p, v.Message())
		}
		return true
	})
}

// lbExtension is the load-balancing policy extension behind a Cluster.lb_policy value.
func lbExtension(p cluster.Cluster_LbPolicy) string {
	switch p {
	case cluster.Cluster_ROUND_ROBIN:
		return "envoy.load_balancing_policies.round_robin"
	case cluster.Cluster_LEAST_REQUEST:
		return "envoy.load_balancing_policies.least_request"
	case cluster.Cluster_RING_HASH:
		return "envoy.load_balancing_policies.ring_hash"
	case cluster.Cluster_RANDOM:
		return "envoy.load_balancing_policies.random"
	case cluster.Cluster_MAGLEV:
		return "envoy.load_balancing_policies.maglev"
	}
	return ""
}
