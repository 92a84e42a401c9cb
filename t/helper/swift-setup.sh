#!/bin/sh
# swift-setup.sh DIR PYTHON: the configuration of a one-node OpenStack
# Swift with s3api on 127.0.0.1, all under DIR (etc/, node/d1, log/), on
# five free ports. Prints "S3 OBJECT CONTAINER ACCOUNT MEMCACHED" ports.
# The S3 user is test:tester, secret testing, region us-east-1. Used by
# t/lib-s3.sh and bench/s3.sh, which start the servers themselves.
set -e
dir=$1
python=${2:-python3}
rm -rf "$dir/etc" "$dir/node" "$dir/log"
mkdir -p "$dir/etc" "$dir/node/d1" "$dir/log"
# the ports and the rings in one Python (swift-ring-builder takes 1 s a call)
ports=$("$python" - "$dir/etc" <<'EOF'
import os, socket, sys
from swift.common.ring import RingBuilder
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
ports = [s.getsockname()[1] for s in socks]
for s in socks:
    s.close()
for name, port in zip(("object", "container", "account"), ports[1:]):
    b = RingBuilder(8, 1, 1)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
               "port": port, "device": "d1", "weight": 100})
    b.rebalance()
    b.get_ring().save(os.path.join(sys.argv[1], name + ".ring.gz"))
print(*ports)
EOF
)
set -- $ports
user=$(id -un)
for srv in object:$2 container:$3 account:$4
do
	cat >"$dir/etc/${srv%%:*}-server.conf" <<EOF
[DEFAULT]
user = $user
devices = $dir/node
mount_check = false
bind_ip = 127.0.0.1
bind_port = ${srv#*:}
bind_timeout = 1
workers = 0
swift_dir = $dir/etc
log_level = WARNING
[pipeline:main]
pipeline = ${srv%%:*}-server
[app:${srv%%:*}-server]
use = egg:swift#${srv%%:*}
EOF
done
cat >"$dir/etc/proxy-server.conf" <<EOF
[DEFAULT]
user = $user
bind_ip = 127.0.0.1
bind_port = $1
bind_timeout = 1
workers = 0
swift_dir = $dir/etc
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl ratelimit s3api tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
max_upload_part_num = 10000
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$5
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_object_versioning = true
[filter:slo]
use = egg:swift#slo
max_manifest_segments = 10000
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:dlo]
use = egg:swift#dlo
[filter:symlink]
use = egg:swift#symlink
EOF
echo "$ports"
