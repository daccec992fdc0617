#!/bin/sh
# Install and start the services the IPAM tests need, on a fresh Debian machine (as root):
# PostgreSQL on 127.0.0.1 with a test database and user, Chromium for the browser test,
# and a Java development kit for the local Spark of the scale tests.
# Everything comes from Debian's packages. The last lines printed are the environment
# the tests read, in `export NAME=value` form:
#     eval "$(scripts/ci-services.sh | grep '^export ')"
set -eu

PGUSER_NAME="${CIDRKIT_PG_USER:-cidrkit}"
PGPASSWORD_VALUE="${CIDRKIT_PG_PASSWORD:-cidrkit}"
PGDB_NAME="${CIDRKIT_PG_DB:-cidrkit_test}"
PGPORT_VALUE="${CIDRKIT_PG_PORT:-5432}"

log() { echo "ci-services: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x /usr/bin/chromium ]; then
    log "installing postgresql, chromium and chromium-driver from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends \
        postgresql postgresql-contrib chromium chromium-driver fonts-dejavu-core >&2
fi

if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
    # The JDK, not only the runtime: cidrkit's JVM lookup for Spark is compiled with javac.
    log "installing a headless JDK from Debian (for Spark and cidrkit's JVM lookup)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends default-jdk-headless >&2
fi
# Spark finds Java through JAVA_HOME: the directory above bin/java.
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")

# The Debian package creates one cluster; find its version and name.
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$version" main >&2
    cluster="$version main"
fi
set -- $cluster
version=$1
name=$2
conf="/etc/postgresql/$version/$name"
# Loopback only, on a known port; fsync stays on: the crash test relies on durability.
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$conf/postgresql.conf"
sed -i "s/^#\?port = .*/port = $PGPORT_VALUE/" "$conf/postgresql.conf"
grep -q "^max_connections = 200" "$conf/postgresql.conf" \
    || sed -i "s/^#\?max_connections = .*/max_connections = 200/" "$conf/postgresql.conf"
if ! pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1==v && $2==n' | grep -q online; then
    log "starting PostgreSQL $version/$name on 127.0.0.1:$PGPORT_VALUE"
    pg_ctlcluster "$version" "$name" start >&2
else
    pg_ctlcluster "$version" "$name" restart >&2
fi

for _ in 1 2 3 4 5 6 7 8 9 10; do
    if su postgres -c "psql -p $PGPORT_VALUE -tAc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
done

su postgres -c "psql -p $PGPORT_VALUE -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER_NAME') THEN
    CREATE ROLE $PGUSER_NAME LOGIN PASSWORD '$PGPASSWORD_VALUE';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $PGDB_NAME OWNER $PGUSER_NAME'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PGDB_NAME') \gexec
\c $PGDB_NAME
-- btree_gist backs the exclusion constraint; creating it here means the test user
-- needs no superuser rights.
CREATE EXTENSION IF NOT EXISTS btree_gist;
SQL

# The NetBox-compatible API is tested with Ansible's netbox.netbox collection, which
# ships in the "ansible" package on PyPI; it lives in a virtual environment of its own.
ANSIBLE_HOME="${CIDRKIT_ANSIBLE_HOME:-/opt/cidrkit-ansible}"
if [ ! -x "$ANSIBLE_HOME/bin/ansible-playbook" ]; then
    log "installing ansible (with the netbox.netbox collection) into $ANSIBLE_HOME"
    python3 -m venv "$ANSIBLE_HOME" >&2
    "$ANSIBLE_HOME/bin/pip" install --quiet ansible >&2
fi

echo "export CIDRKIT_TEST_ANSIBLE_PLAYBOOK=$ANSIBLE_HOME/bin/ansible-playbook"
echo "export CIDRKIT_TEST_PG_URL=postgresql://$PGUSER_NAME:$PGPASSWORD_VALUE@127.0.0.1:$PGPORT_VALUE/$PGDB_NAME"
echo "export CIDRKIT_TEST_CHROMIUM=/usr/bin/chromium"
echo "export JAVA_HOME=$java_home"
