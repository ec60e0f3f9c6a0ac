/** NodeName: a pod with spec.nodeName fits only that node. Pure. */
import { ALWAYS_UNRESOLVABLE, PASS, type FilterPlugin } from './filter.js';

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeNameFilter: FilterPlugin = {
  name: 'NodeName',
  isUnresolvable: ALWAYS_UNRESOLVABLE,
  prepare({ pod }) {
    const want = pod.spec?.nodeName;
    return (node) => (!want || want === node.name ? PASS : [ERR_NODE_NAME]);
  },
};
