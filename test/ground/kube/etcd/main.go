// A single-member etcd for the test ground, started through etcd's embed package: loopback only,
// given ports and data directory, no fsync (test data is thrown away). It runs until SIGTERM/SIGINT.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func loopbackURL(port int) url.URL {
	return url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
}

func main() {
	dataDir := flag.String("data-dir", "", "directory for etcd's data (required)")
	clientPort := flag.Int("client-port", 0, "loopback port for clients (required)")
	peerPort := flag.Int("peer-port", 0, "loopback port for peers (required)")
	readyTimeout := flag.Duration("ready-timeout", 60*time.Second, "how long to wait for the member to be ready")
	flag.Parse()
	if *dataDir == "" || *clientPort == 0 || *peerPort == 0 {
		flag.Usage()
		os.Exit(2)
	}

	cfg := embed.NewConfig()
	cfg.Name = "ground"
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{loopbackURL(*clientPort)}
	cfg.AdvertiseClientUrls = cfg.ListenClientUrls
	cfg.ListenPeerUrls = []url.URL{loopbackURL(*peerPort)}
	cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "warn"

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("etcd: start: %v", err)
	}
	defer server.Close()

	select {
	case <-server.Server.ReadyNotify():
		fmt.Printf("etcd ready on %s\n", cfg.ListenClientUrls[0].String())
	case <-time.After(*readyTimeout):
		server.Server.Stop()
		log.Fatalf("etcd: not ready after %s", *readyTimeout)
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-server.Err():
		log.Fatalf("etcd: %v", err)
	case <-signals:
	}
}
