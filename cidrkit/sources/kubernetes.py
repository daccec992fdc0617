"""Kubernetes: kubeadm configuration, node pod CIDRs, Calico pools, ServiceCIDR.

Works on JSON (``kubectl get nodes -o json``) and multi-document YAML alike.
The scope is the cluster: ``clusterName`` when the file says it, otherwise
the name of the folder holding the file (node lists carry no cluster name).
Dual-stack values are one comma-separated string; each element is located by
its position (``element 2``).
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
    "Installation", "ServiceCIDR", "ConfigMap", "List",
}


def _dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one: exports omit empty sections."""
    return value if isinstance(value, dict) else {}


def _cluster(sink: Sink, obj: dict[str, Any] | None = None) -> str:
    name = obj.get("clusterName") if obj else None
    if isinstance(name, str) and name and name != "kubernetes":
        return name
    return hints_from_path(sink.file).folder or sink.file


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
    if "podSubnet" in net:
        _comma_list(sink, doc, child(net_ptr, "podSubnet"), net["podSubnet"], scope,
                    Labels("pod-cidr", f"{cluster} pods"))
    if "serviceSubnet" in net:
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
    elif kind == "KubeProxyConfiguration" and obj.get("clusterCIDR"):
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
    if yaml:
        for i, obj in enumerate(doc.value):
            _object(sink, doc, obj, f"/{i}")
    else:
        _object(sink, doc, doc.value, "")
