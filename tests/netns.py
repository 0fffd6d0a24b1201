"""Network namespaces for cluster tests that cut the network between nodes: the chaos lab
(tests/chaos/lab.py) and the partition tests (tests/integration/test_cluster_faults.py).

Node i lives in namespace `<tag>-n<i+1>` with two veth links:
- "cl0", the cluster link, `<cluster_net>.<i+1>/24`; its root end is on one of two bridges,
  and partition() moves it between them: nodes on different bridges cannot reach each other;
- "mg0", the client link, `<client_net>.<i+1>.2/30`, whose root end `<client_net>.<i+1>.1` lets
  the test (in the root namespace) reach the node whatever the partition.
Needs root (CAP_NET_ADMIN) and iproute2; probe() says whether this machine allows it.
remove() undoes everything create() made, and may be called more than once.
"""

import subprocess


def sh(*args, check=True, timeout=30):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def probe(tag):
    """None when a network namespace can be made here, else why not."""
    try:
        p = subprocess.run(["ip", "netns", "add", f"{tag}-probe"], capture_output=True,
                           text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if p.returncode != 0:
        return p.stderr.strip() or f"exit {p.returncode}"
    sh("ip", "netns", "del", f"{tag}-probe", check=False)
    return None


class NetnsNetwork:
    def __init__(self, tag, nodes, cluster_net, client_net):
        """`cluster_net`: the first three octets of the cluster subnet ("10.213.0");
        `client_net`: the first two of the client links' ("10.101")."""
        self.n = nodes
        self.names = [f"{tag}-n{i + 1}" for i in range(nodes)]
        self.bridges = [f"{tag}a", f"{tag}b"]
        self.cluster_links = [f"{tag}c{i + 1}" for i in range(nodes)]
        self.client_links = [f"{tag}m{i + 1}" for i in range(nodes)]
        self.cluster_net, self.client_net = cluster_net, client_net
        self.made_links, self.made_netns = [], []

    def cluster_ip(self, i):
        return f"{self.cluster_net}.{i + 1}"

    def client_ip(self, i):
        return f"{self.client_net}.{i + 1}.2"

    def exec_prefix(self, i):
        """Runs a command in node i's namespace (`ip netns exec` execs in place: the pid of
        the process started is the command's own)."""
        return ["ip", "netns", "exec", self.names[i]]

    def create(self):
        for br in self.bridges:
            sh("ip", "link", "add", "name", br, "type", "bridge", "forward_delay", "0",
               "stp_state", "0")
            self.made_links.append(br)
            sh("ip", "link", "set", br, "up")
        for i, ns in enumerate(self.names):
            sh("ip", "netns", "add", ns)
            self.made_netns.append(ns)
            inside = self.exec_prefix(i)
            sh(*inside, "ip", "link", "set", "lo", "up")
            for link, peer in ((self.cluster_links[i], "cl0"), (self.client_links[i], "mg0")):
                sh("ip", "link", "add", link, "type", "veth", "peer", "name", peer, "netns", ns)
                self.made_links.append(link)
            sh("ip", "link", "set", self.cluster_links[i], "master", self.bridges[0], "up")
            sh(*inside, "ip", "addr", "add", f"{self.cluster_ip(i)}/24", "dev", "cl0")
            sh(*inside, "ip", "link", "set", "cl0", "up")
            sh("ip", "addr", "add", f"{self.client_net}.{i + 1}.1/30", "dev",
               self.client_links[i])
            sh("ip", "link", "set", self.client_links[i], "up")
            sh(*inside, "ip", "addr", "add", f"{self.client_ip(i)}/30", "dev", "mg0")
            sh(*inside, "ip", "link", "set", "mg0", "up")
        return self

    def move(self, i, side):
        """Puts node i's cluster link on bridge `side` (0 or 1)."""
        sh("ip", "link", "set", self.cluster_links[i], "master", self.bridges[side])

    def partition(self, *sides):
        """partition([0, 1, 2], [3]): each node's cluster link joins its side's bridge (at
        most two sides)."""
        for side, members in enumerate(sides):
            for i in members:
                self.move(i, side)

    def heal(self):
        self.partition(list(range(self.n)))

    def remove(self):
        for link in reversed(self.made_links):
            sh("ip", "link", "del", link, check=False)
        for ns in reversed(self.made_netns):
            sh("ip", "netns", "del", ns, check=False)
        self.made_links, self.made_netns = [], []
