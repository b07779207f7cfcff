package main

import (
	"context"
	"sort"
	"sync/atomic"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// server implements the engine's ResourceProvider gRPC service for the
// random package.
type server struct {
	pulumirpc.UnimplementedResourceProviderServer

	version string
	// acceptSecrets records whether the engine takes secrets as typed values
	// (it says so in Configure); otherwise secrets are sent as plain values.
	acceptSecrets atomic.Bool
}

var _ pulumirpc.ResourceProviderServer = (*server)(nil)

func newServer(version string) *server {
	s := &server{version: version}
	s.acceptSecrets.Store(true)
	return s
}

func (s *server) unmarshal(label string, st *structpb.Struct) (resource.PropertyMap, error) {
	props, err := plugin.UnmarshalProperties(st, plugin.MarshalOptions{
		Label: label, KeepUnknowns: true, KeepSecrets: true, SkipNulls: true,
	})
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%s: %v", label, err)
	}
	return props, nil
}

func (s *server) marshal(label string, props resource.PropertyMap) (*structpb.Struct, error) {
	st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{
		Label: label, KeepUnknowns: true, KeepSecrets: s.acceptSecrets.Load(), SkipNulls: true,
	})
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%s: %v", label, err)
	}
	return st, nil
}

// typeOf returns the resource type of a request: its type field, which newer
// engines send, or else the type part of its URN.
func typeOf(typ, urn string) (*resourceType, error) {
	if typ == "" && urn != "" {
		if u, err := resource.ParseURN(urn); err == nil {
			typ = string(u.Type())
		}
	}
	t, err := lookupType(typ)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return t, nil
}

func (s *server) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.version}, nil
}

func (s *server) GetSchema(_ context.Context, req *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	if req.GetSubpackageName() != "" {
		return nil, status.Errorf(codes.InvalidArgument, "the random provider has no sub-package %q", req.GetSubpackageName())
	}
	schema, err := schemaJSON(s.version)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &pulumirpc.GetSchemaResponse{Schema: schema}, nil
}

// CheckConfig accepts the provider's inputs as they are: the random provider
// has no configuration (the engine passes only its `version`).
func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig never replaces the provider: no configuration affects the
// resources, so a new plugin version must not replace every random value.
func (s *server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := s.unmarshal("DiffConfig.olds", req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := s.unmarshal("DiffConfig.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	var changed []string
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	for k := range keys {
		if resource.IsInternalPropertyKey(k) {
			continue
		}
		o, n := plain(olds[k]), plain(news[k])
		if n.ContainsUnknowns() || !o.DeepEquals(n) {
			changed = append(changed, string(k))
		}
	}
	sort.Strings(changed)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}, nil
}

func (s *server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	s.acceptSecrets.Store(req.GetAcceptSecrets())
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (s *server) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "the random provider has no function %q", req.GetTok())
}

// Check applies defaults and validates the inputs of a resource.
func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := s.unmarshal("Check.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	checked, failures := t.check(news)
	inputs, err := s.marshal("Check.inputs", checked)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// Diff replaces the resource when any input (keepers included) changes.
func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := s.unmarshal("Diff.olds", req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := s.unmarshal("Diff.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	return diffResponse(t.diff(olds, news, req.GetIgnoreChanges())), nil
}

func diffResponse(changed []string) *pulumirpc.DiffResponse {
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}
	}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range changed {
		detailed[k] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true}
	}
	return &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_SOME,
		Replaces:        changed,
		Diffs:           changed,
		DetailedDiff:    detailed,
		HasDetailedDiff: true,
	}
}

// Create generates the resource's values. In a preview the generated
// outputs are unknown.
func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	props, err := s.unmarshal("Create.properties", req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, outs, err := t.create(props, req.GetPreview())
	if err != nil {
		return nil, err
	}
	st, err := s.marshal("Create.outputs", outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: st}, nil
}

// create returns the ID and outputs (the inputs plus the generated values)
// of a new resource.
func (t *resourceType) create(props resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	checked, failures := t.check(props)
	if len(failures) > 0 {
		return "", nil, status.Errorf(codes.InvalidArgument, "invalid %s inputs: %s", t.name(), failures[0].Reason)
	}
	outs := checked.Copy()
	if preview || checked.ContainsUnknowns() {
		if !preview {
			return "", nil, status.Errorf(codes.InvalidArgument, "cannot create %s from unknown inputs", t.name())
		}
		for _, p := range t.props {
			if p.input {
				continue
			}
			v := resource.MakeComputed(resource.NewStringProperty(""))
			if p.secret {
				v = resource.MakeSecret(v)
			}
			outs[resource.PropertyKey(p.name)] = v
		}
		return "", outs, nil
	}
	id, generated, err := t.generate(knownValues(checked))
	if err != nil {
		return "", nil, status.Errorf(codes.Internal, "generating %s: %v", t.name(), err)
	}
	for k, v := range generated {
		outs[k] = v
	}
	return id, outs, nil
}

// Read returns the recorded state unchanged: random values live only in the
// state. Without a state (`pulumi import`, or a static get), the values are
// rebuilt from the ID where the type documents an import format.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	props, err := s.unmarshal("Read.properties", req.GetProperties())
	if err != nil {
		return nil, err
	}
	if len(props) > 0 {
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	id, inputs, outs, err := t.importState(req.GetId())
	if err != nil {
		return nil, err
	}
	inSt, err := s.marshal("Read.inputs", inputs)
	if err != nil {
		return nil, err
	}
	outSt, err := s.marshal("Read.properties", outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: outSt, Inputs: inSt}, nil
}

func (t *resourceType) importState(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
	if t.importID == nil {
		return "", nil, nil, status.Errorf(codes.Unimplemented, "%s cannot be imported", t.name())
	}
	newID, inputs, generated, err := t.importID(id)
	if err != nil {
		return "", nil, nil, status.Errorf(codes.InvalidArgument, "importing %s %q: %v", t.name(), id, err)
	}
	checked, failures := t.check(inputs)
	if len(failures) > 0 {
		return "", nil, nil, status.Errorf(codes.InvalidArgument, "importing %s %q: %s", t.name(), id, failures[0].Reason)
	}
	outs := checked.Copy()
	for k, v := range generated {
		outs[k] = v
	}
	return newID, checked, outs, nil
}

// Update is never needed, since every input change replaces the resource;
// should the engine call it anyway, it records the new inputs and keeps the
// generated values.
func (s *server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := s.unmarshal("Update.olds", req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := s.unmarshal("Update.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	outs := olds.Copy()
	for _, p := range t.props {
		if !p.input {
			continue
		}
		k := resource.PropertyKey(p.name)
		if v, ok := news[k]; ok {
			outs[k] = v
		} else {
			delete(outs, k)
		}
	}
	st, err := s.marshal("Update.outputs", outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: st}, nil
}

// Delete forgets the resource: nothing exists outside the state.
func (s *server) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
