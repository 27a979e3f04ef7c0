# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NetworkPolicy peers as an inventory gives them: a namespace name, or a full peer.

`[ingress-nginx]` means "every pod of namespace ingress-nginx" and becomes the peer
{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}} (the label
Kubernetes sets on every namespace); a mapping with podSelector, namespaceSelector and/or ipBlock
is a peer as Kubernetes spells it and is kept as given. Anything else is refused, naming the field,
the index and the value.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
PEER_KEYS = ("podSelector", "namespaceSelector", "ipBlock")
SELECTOR_KEYS = frozenset(("matchLabels", "matchExpressions"))
NAMESPACE_LABEL = "kubernetes.io/metadata.name"


class PeerError(ValueError):
    """The peer list is not valid; the message names every problem."""


def _selector_problem(where, key, selector):
    if not isinstance(selector, dict):
        return "%s: %s must be a mapping (matchLabels, matchExpressions), not %r" % (where, key, selector)
    unknown = sorted(set(selector) - SELECTOR_KEYS)
    if unknown:
        return "%s: %s has unknown key(s) %s (allowed: matchLabels, matchExpressions)" % (
            where, key, ", ".join(unknown))
    if "matchLabels" in selector and not isinstance(selector["matchLabels"], dict):
        return "%s: %s.matchLabels must be a mapping, not %r" % (where, key, selector["matchLabels"])
    if "matchExpressions" in selector and not isinstance(selector["matchExpressions"], list):
        return "%s: %s.matchExpressions must be a list, not %r" % (where, key, selector["matchExpressions"])
    return None


def _peer(where, peer, problems):
    if isinstance(peer, str):
        if _LABEL.match(peer):
            return {"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: peer}}}
        problems.append("%s: %r is not a namespace name (a DNS-1123 label such as ingress-nginx) nor a "
                        "NetworkPolicy peer (a mapping with podSelector, namespaceSelector or ipBlock)" % (where, peer))
        return None
    if not isinstance(peer, dict):
        problems.append("%s: %r is neither a namespace name nor a NetworkPolicy peer (a mapping with "
                        "podSelector, namespaceSelector or ipBlock)" % (where, peer))
        return None
    unknown = sorted(set(peer) - set(PEER_KEYS))
    if unknown or not peer:
        problems.append("%s: %r is not a NetworkPolicy peer: %s" % (
            where, peer, "unknown key(s) %s (allowed: %s)" % (", ".join(unknown), ", ".join(PEER_KEYS))
            if unknown else "it is empty (give podSelector, namespaceSelector or ipBlock)"))
        return None
    found = []
    for key in ("podSelector", "namespaceSelector"):
        if key in peer:
            problem = _selector_problem(where, key, peer[key])
            if problem:
                found.append(problem)
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        if len(peer) > 1:
            found.append("%s: ipBlock cannot be combined with podSelector or namespaceSelector in one peer" % where)
        if not isinstance(block, dict) or not isinstance(block.get("cidr"), str) or "/" not in block["cidr"]:
            found.append("%s: ipBlock must be a mapping with a cidr such as 10.0.0.0/8, not %r" % (where, block))
        elif set(block) - {"cidr", "except"} or not isinstance(block.get("except", []), list):
            found.append("%s: ipBlock %r may only have cidr and an except list" % (where, block))
    problems.extend(found)
    return None if found else peer


def network_policy_peers(peers, field="allowed_from"):
    """The NetworkPolicy peers of `peers` (a list of namespace names or peers); raises PeerError."""
    if peers is None:
        return []
    if not isinstance(peers, list):
        raise PeerError("%s must be a list of namespace names or NetworkPolicy peers, not %r" % (field, peers))
    problems = []
    result = []
    for index, peer in enumerate(peers):
        checked = _peer("%s[%d]" % (field, index), peer, problems)
        if checked is not None:
            result.append(checked)
    if problems:
        raise PeerError("; ".join(problems))
    return result
