"""Kubernetes: kubeadm and kind configuration, node pod CIDRs, Calico pools, ServiceCIDR.

Works on JSON (``kubectl get nodes -o json``) and multi-document YAML alike.
The scope is the cluster, named by what the file says: kubeadm's
``clusterName``, a kind or Cluster API ``Cluster``'s name; every object of
that file belongs to it. Only a file that names no cluster (node lists carry
none) falls back to the name of its folder. Dual-stack values are one
comma-separated string; each element is located by its position
(``element 2``). An empty value (``podSubnet: ""``) means "not set".
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.jsonloc import Located, child, iter_strings, looks_like_cidr
from cidrkit.sources.pathhints import hints_from_path
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

#: kubeadm uses this when ``serviceSubnet`` is omitted; it can collide like any other.
DEFAULT_SERVICE_SUBNET = "10.96.0.0/12"

KINDS = {
    "ClusterConfiguration", "KubeProxyConfiguration", "IPPool", "IPPoolList", "Node", "NodeList",
    "Installation", "ServiceCIDR", "ConfigMap", "List", "Cluster",
}
#: Node labels and annotations naming the cluster a node belongs to (eksctl, Cluster API).
NODE_CLUSTER_KEYS = ("alpha.eksctl.io/cluster-name", "cluster.x-k8s.io/cluster-name")
#: kind's defaults when a Cluster config leaves the IPv4 subnets unset.
KIND_DEFAULTS = {"podSubnet": "10.244.0.0/16", "serviceSubnet": "10.96.0.0/16"}


def _dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one: exports omit empty sections."""
    return value if isinstance(value, dict) else {}


def _named_cluster(obj: Any) -> str | None:
    """The cluster an object names itself, if it does (kubeadm's default name does not count)."""
    if not isinstance(obj, dict):
        return None
    if obj.get("kind") == "ClusterConfiguration":
        name = obj.get("clusterName")
        return name if isinstance(name, str) and name and name != "kubernetes" else None
    if obj.get("kind") == "Cluster":
        api = str(obj.get("apiVersion", ""))
        if api.startswith("kind.x-k8s.io"):
            name = obj.get("name")
            return name if isinstance(name, str) and name else "kind"
        name = _dict(obj.get("metadata")).get("name")
        return name if isinstance(name, str) and name else None
    if obj.get("kind") == "Node":
        meta = _dict(obj.get("metadata"))
        for holder in (_dict(meta.get("labels")), _dict(meta.get("annotations"))):
            for key in NODE_CLUSTER_KEYS:
                if isinstance(holder.get(key), str) and holder[key]:
                    return str(holder[key])
        return None
    if obj.get("kind") in ("List", "NodeList"):
        for item in obj.get("items") or [] if isinstance(obj.get("items"), list) else []:
            found = _named_cluster(item)
            if found:
                return found
    return None


def _cluster(sink: Sink, obj: dict[str, Any] | None = None) -> str:
    name = _named_cluster(obj)
    if name:
        return name
    if sink.cluster:
        return sink.cluster
    return hints_from_path(sink.file).folder or sink.file


def _set(value: Any) -> bool:
    """False for an absent or empty field, which kubeadm and kind read as "use the default"."""
    return value is not None and value != ""


def _comma_list(
    sink: Sink, doc: Located, pointer: str, value: Any, scope: str, labels: Labels
) -> None:
    """Record ``v4,v6`` dual-stack strings element by element."""
    origin_line = doc.line(pointer)
    if not isinstance(value, str):
        sink.malformed(sink.origin(origin_line, pointer), repr(value), "expected a CIDR string")
        return
    parts = value.split(",")
    for i, part in enumerate(parts):
        column = f"element {i + 1}" if len(parts) > 1 else None
        sink.prefix(part.strip(), sink.origin(origin_line, pointer, column=column), scope, labels)


def _cluster_configuration(sink: Sink, doc: Located, obj: dict[str, Any], ptr: str) -> None:
    cluster = _cluster(sink, obj)
    scope = f"k8s:{cluster}"
    net = _dict(obj.get("networking"))
    net_ptr = child(ptr, "networking")
    if _set(net.get("podSubnet")):
        _comma_list(sink, doc, child(net_ptr, "podSubnet"), net["podSubnet"], scope,
                    Labels("pod-cidr", f"{cluster} pods"))
    if _set(net.get("serviceSubnet")):
        _comma_list(sink, doc, child(net_ptr, "serviceSubnet"), net["serviceSubnet"], scope,
                    Labels("service-cidr", f"{cluster} services"))
    else:
        where = net_ptr if net_ptr in doc.lines else ptr
        sink.prefix(DEFAULT_SERVICE_SUBNET, sink.origin(doc.line(where), where,
                                                        column="implied default"),
                    scope, Labels("service-cidr", f"{cluster} services",
                                  note="serviceSubnet not set: kubeadm default"))


def _node(sink: Sink, doc: Located, obj: dict[str, Any], ptr: str, scope: str) -> None:
    spec = _dict(obj.get("spec"))
    meta = _dict(obj.get("metadata"))
    labels = Labels("node-pod-cidr", meta.get("name"))
    spec_ptr = child(ptr, "spec")
    if spec.get("podCIDR"):
        p = child(spec_ptr, "podCIDR")
        sink.prefix(spec["podCIDR"], sink.origin(doc.line(p), p), scope, labels)
    for i, value in enumerate(spec.get("podCIDRs") or []):
        p = f"{spec_ptr}/podCIDRs/{i}"
        sink.prefix(value, sink.origin(doc.line(p), p), scope, labels)
    annotations = meta.get("annotations")
    for p, text in iter_strings(annotations, f"{ptr}/metadata/annotations"):
        if looks_like_cidr(text):
            sink.ignore(sink.origin(doc.line(p), p), text,
                        "node annotation: an interface address, not an allocation")


def _object(sink: Sink, doc: Located, obj: Any, ptr: str) -> None:
    if not isinstance(obj, dict):
        return
    kind = obj.get("kind")
    spec = _dict(obj.get("spec"))
    meta = _dict(obj.get("metadata"))
    scope = f"k8s:{_cluster(sink)}"
    if kind in ("List", "NodeList", "IPPoolList"):
        for i, item in enumerate(obj.get("items") or []):
            _object(sink, doc, item, f"{ptr}/items/{i}")
    elif kind == "ClusterConfiguration":
        _cluster_configuration(sink, doc, obj, ptr)
    elif kind == "Cluster":
        _cluster_object(sink, doc, obj, ptr)
    elif kind == "KubeProxyConfiguration" and _set(obj.get("clusterCIDR")):
        _comma_list(sink, doc, child(ptr, "clusterCIDR"), obj["clusterCIDR"], scope,
                    Labels("pod-cidr", "kube-proxy clusterCIDR"))
    elif kind == "Node":
        _node(sink, doc, obj, ptr, scope)
    elif kind == "IPPool" and "cidr" in spec:
        p = f"{ptr}/spec/cidr"
        origin = sink.origin(doc.line(p), p)
        kept = sink.prefix(spec["cidr"], origin, scope, Labels("ip-pool", meta.get("name")))
        if kept is not None and spec.get("disabled") is True:
            sink.notice(origin, str(spec["cidr"]),
                        "pool is disabled: no new addresses, existing pods may still use it")
    elif kind == "Installation":
        network = _dict(spec.get("calicoNetwork"))
        for i, pool in enumerate(network.get("ipPools") or []):
            if isinstance(pool, dict) and "cidr" in pool:
                p = f"{ptr}/spec/calicoNetwork/ipPools/{i}/cidr"
                sink.prefix(pool["cidr"], sink.origin(doc.line(p), p), scope,
                            Labels("ip-pool", pool.get("name")))
    elif kind == "ServiceCIDR":
        for i, value in enumerate(spec.get("cidrs") or []):
            p = f"{ptr}/spec/cidrs/{i}"
            sink.prefix(value, sink.origin(doc.line(p), p), scope,
                        Labels("service-cidr", meta.get("name")))
    elif kind == "ConfigMap":
        _kubeadm_config_map(sink, doc, obj, ptr)


def _cluster_object(sink: Sink, doc: Located, obj: dict[str, Any], ptr: str) -> None:
    """A kind cluster config (``networking``) or a Cluster API ``Cluster`` (``clusterNetwork``)."""
    cluster = _cluster(sink, obj)
    scope = f"k8s:{cluster}"
    if str(obj.get("apiVersion", "")).startswith("kind.x-k8s.io"):
        net = _dict(obj.get("networking"))
        net_ptr = child(ptr, "networking")
        single_stack_v6 = net.get("ipFamily") == "ipv6"
        for key, kind in (("podSubnet", "pod-cidr"), ("serviceSubnet", "service-cidr")):
            labels = Labels(kind, f"{cluster} {'pods' if kind == 'pod-cidr' else 'services'}")
            if _set(net.get(key)):
                _comma_list(sink, doc, child(net_ptr, key), net[key], scope, labels)
            elif not single_stack_v6:
                where = net_ptr if net_ptr in doc.lines else ptr
                sink.prefix(KIND_DEFAULTS[key], sink.origin(doc.line(where), where,
                                                            column="implied default"),
                            scope, Labels(labels.kind, labels.name,
                                          note=f"{key} not set: kind default"))
        return
    network = _dict(_dict(obj.get("spec")).get("clusterNetwork"))
    for key, kind in (("pods", "pod-cidr"), ("services", "service-cidr")):
        blocks = _dict(network.get(key)).get("cidrBlocks")
        for i, value in enumerate(blocks if isinstance(blocks, list) else []):
            p = f"{ptr}/spec/clusterNetwork/{key}/cidrBlocks/{i}"
            sink.prefix(value, sink.origin(doc.line(p), p), scope, Labels(kind, f"{cluster} {key}"))


def _kubeadm_config_map(sink: Sink, doc: Located, obj: dict[str, Any], ptr: str) -> None:
    """kube-system/kubeadm-config holds ClusterConfiguration as YAML inside a string."""
    from cidrkit.sources.yamlloc import load_documents

    data = _dict(obj.get("data"))
    text = data.get("ClusterConfiguration")
    if not isinstance(text, str):
        return
    p = f"{ptr}/data/ClusterConfiguration"
    # A block scalar starts on the line after its key.
    inner = load_documents(text, sink.file, first_line=(doc.line(p) or 0) + 1)
    # Pointers continue into the string so a reader sees which key held the YAML.
    located = Located(inner.value, {p + key: line for key, line in inner.lines.items()})
    for i, nested in enumerate(inner.value):
        _object(sink, located, nested, f"{p}/{i}")


def read_documents(doc: Located, sink: Sink, *, yaml: bool) -> None:
    """Read Kubernetes objects: a list of YAML documents or one JSON object."""
    objects = doc.value if yaml else [doc.value]
    sink.cluster = next((n for n in map(_named_cluster, objects) if n), None)
    if yaml:
        for i, obj in enumerate(doc.value):
            _object(sink, doc, obj, f"/{i}")
    else:
        _object(sink, doc, doc.value, "")
