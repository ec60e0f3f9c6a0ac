/**
 * The ApiServerDeps an in-process test server is built from: the built-in
 * resource table's store and metrics as given, the system clock, counting
 * uids and generateName suffixes (readable in failures), and the default
 * admission chain's core (defaults, then validation and namespace
 * lifecycle).
 */
import type { ResourceTable } from '../../control-plane/api/resource-table.js';
import { systemClock } from '../../control-plane/api/meta.js';
import { AdmissionChain } from '../../control-plane/apiserver/admission/admission.js';
import { defaultsPlugin } from '../../control-plane/apiserver/admission/defaults.js';
import { namespaceLifecyclePlugin } from '../../control-plane/apiserver/admission/namespace-lifecycle.js';
import { validationPlugin } from '../../control-plane/apiserver/admission/validation.js';
import type { ApiMetrics, ApiServerDeps } from '../../control-plane/apiserver/context.js';
import type { Store } from '../../control-plane/storage/store.js';

export function testApiDeps(table: ResourceTable, store: Store, metrics: ApiMetrics): ApiServerDeps {
  let uid = 0;
  let suffix = 0;
  return {
    table,
    store,
    clock: systemClock,
    newUid: () => `uid-${++uid}`,
    randomSuffix: (n) => String(++suffix).padStart(n, 'x').slice(-n),
    admission: new AdmissionChain([defaultsPlugin()], [validationPlugin(), namespaceLifecyclePlugin({ store, table })]),
    metrics,
    gitVersion: 'v1.33.0+skiff.test',
  };
}
