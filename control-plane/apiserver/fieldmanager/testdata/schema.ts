/**
 * Test fixture for the field manager's unit tests: a small schema graph in
 * the shape of apps/v1 Deployment (a keyed list, a set, an atomic list, an
 * atomic struct, granular maps) built from in-memory .proto sources.
 */
import { schemaFromSources } from '../../../api/schema/proto-schema.js';
import { rootType, type TypeDesc } from '../type-info.js';

const meta = `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
message ObjectMeta {
  optional string name = 1;
  optional string namespace = 3;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  // +patchStrategy=merge
  repeated string finalizers = 14;
}
// +structType=atomic
message LabelSelector {
  map<string, string> matchLabels = 1;
}`;

const apps = `syntax = "proto2";
package k8s.io.api.apps.v1;
import "meta.proto";
message Deployment {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional DeploymentSpec spec = 2;
  optional DeploymentStatus status = 3;
}
message DeploymentSpec {
  optional int32 replicas = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional PodTemplateSpec template = 3;
  optional DeploymentStrategy strategy = 4;
  optional bool paused = 7;
}
message DeploymentStrategy {
  optional string type = 1;
  optional RollingUpdate rollingUpdate = 2;
}
message RollingUpdate {
  optional string maxSurge = 1;
}
message PodTemplateSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
}
message PodSpec {
  // +patchMergeKey=name
  // +patchStrategy=merge
  repeated Container containers = 2;
  optional string dnsPolicy = 6;
}
message Container {
  optional string name = 1;
  optional string image = 2;
  // +listType=atomic
  repeated string args = 4;
  // +patchMergeKey=containerPort
  // +patchStrategy=merge
  // +listType=map
  // +listMapKey=containerPort
  // +listMapKey=protocol
  repeated ContainerPort ports = 6;
}
message ContainerPort {
  optional int32 containerPort = 3;
  optional string protocol = 4;
}
message DeploymentStatus {
  optional int32 replicas = 2;
}`;

export const graph = schemaFromSources({ 'meta.proto': meta, 'apps.proto': apps });
export const deploymentType: TypeDesc = rootType(graph, 'apps', 'v1', 'Deployment');
