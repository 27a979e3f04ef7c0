// A CoreDNS with only the plugins the node tier's Corefile uses: the listening address (bind),
// the cluster's names from the API server (kubernetes), health and readiness for the probes, a
// cache, error logging. No forward plugin is linked in, so this server cannot send a query
// anywhere else.
// Nothing here is part of the collection: the harness builds it (see ../node_images.py).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The chain order, a subset of CoreDNS's plugin.cfg order.
var directives = []string{"bind", "errors", "health", "ready", "cache", "kubernetes"}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
