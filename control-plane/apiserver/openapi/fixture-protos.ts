/**
 * Test fixture: a few .proto sources in the shape of proto/k8s (meta, core
 * and apps subsets with upstream names, numbers and merge annotations), for
 * the OpenAPI and field-validation unit tests to build a graph with
 * schemaFromSources() independently of the real files.
 */
export const FIXTURE_PROTOS: Record<string, string> = {
  'meta.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
import "intstr.proto";
// Time is a timestamp, RFC 3339 in JSON.
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
// FieldsV1 is a set of fields in JSON.
message FieldsV1 { optional bytes Raw = 1; }
message ManagedFieldsEntry {
  optional string manager = 1;
  optional string operation = 2;
  optional FieldsV1 fieldsV1 = 7;
}
message OwnerReference {
  optional string apiVersion = 5;
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
}
// ObjectMeta is metadata that all persisted resources must have.
message ObjectMeta {
  // Name must be unique within a namespace.
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional Time creationTimestamp = 8;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  // +patchMergeKey=uid
  // +patchStrategy=merge
  // +listType=map
  // +listMapKey=uid
  repeated OwnerReference ownerReferences = 13;
  // +patchStrategy=merge
  // +listType=set
  repeated string finalizers = 14;
  // +listType=atomic
  repeated ManagedFieldsEntry managedFields = 17;
}
message ListMeta { optional string resourceVersion = 2; optional string continue = 3; }
// A label selector.
message LabelSelector {
  map<string, string> matchLabels = 1;
}
// Status is a return value for calls that don't return other objects.
message Status {
  optional ListMeta metadata = 1;
  optional string status = 2;
  optional string message = 3;
  optional int32 code = 6;
}
`,
  'intstr.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.util.intstr;
// IntOrString holds an int32 or a string.
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
`,
  'quantity.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.api.resource;
// Quantity is a fixed-point representation of a number.
message Quantity { optional string string = 1; }
`,
  'runtime.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;
// RawExtension holds an embedded object.
message RawExtension { optional bytes raw = 1; }
`,
  'core.proto': `syntax = "proto2";
package k8s.io.api.core.v1;
import "meta.proto";
import "intstr.proto";
import "quantity.proto";
// Pod is a collection of containers that can run on a host.
message Pod {
  // Standard object's metadata.
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  // Specification of the desired behavior of the pod.
  optional PodSpec spec = 2;
  optional PodStatus status = 3;
}
message PodList {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1;
  repeated Pod items = 2;
}
// PodSpec is a description of a pod.
message PodSpec {
  // List of containers belonging to the pod.
  // +patchMergeKey=name
  // +patchStrategy=merge
  // +listType=map
  // +listMapKey=name
  repeated Container containers = 2;
  // NodeSelector is a selector which must be true for the pod to fit on a node.
  // +mapType=atomic
  map<string, string> nodeSelector = 7;
  // +json=hostPID
  optional bool hostPid = 12;
  // Deprecated field carried over.
  optional int64 activeDeadlineSeconds = 5;
}
message PodStatus { optional string phase = 1; }
// A single application container that you want to run within a pod.
message Container {
  // Name of the container.
  optional string name = 1;
  // Container image name.
  optional string image = 2;
  // +listType=atomic
  repeated string args = 4;
  // +patchMergeKey=containerPort
  // +patchStrategy=merge
  // +listType=map
  // +listMapKey=containerPort
  // +listMapKey=protocol
  repeated ContainerPort ports = 6;
  optional ResourceRequirements resources = 8;
}
message ContainerPort {
  optional string name = 1;
  optional int32 containerPort = 3;
  optional string protocol = 4;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString hostPortName = 9;
}
message ResourceRequirements {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 1;
}
`,
  'apps.proto': `syntax = "proto2";
package k8s.io.api.apps.v1;
import "meta.proto";
import "core.proto";
import "intstr.proto";
import "runtime.proto";
// Deployment enables declarative updates for Pods and ReplicaSets.
message Deployment {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional DeploymentSpec spec = 2;
}
message DeploymentSpec {
  optional int32 replicas = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 3;
  // The deployment strategy to use to replace existing pods with new ones.
  // +patchStrategy=retainKeys
  optional DeploymentStrategy strategy = 4;
}
// DeploymentStrategy describes how to replace existing pods with new ones.
message DeploymentStrategy {
  // Type of deployment.
  optional string type = 1;
  optional RollingUpdateDeployment rollingUpdate = 2;
}
message RollingUpdateDeployment {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 1;
}
message ControllerRevision {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.runtime.RawExtension data = 2;
  optional int64 revision = 3;
}
`,
  'template.proto': `syntax = "proto2";
package k8s.io.api.core.v1;
import "meta.proto";
message PodTemplateSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
}
`,
};
