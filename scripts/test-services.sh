# Sourced by ./run-tests: the test suite runs against real services on this machine, PostgreSQL
# (127.0.0.1:5432, user postgres), Redis (127.0.0.1:6379), nginx (the cluster test) and ejabberd
# (the benchmark comparison's smoke test). Start the ones that are installed but down, install
# nginx and ejabberd if we may, and say plainly what is missing.

courier_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

courier_test_services() {
  local missing=()
  if ! courier_port_open 5432; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1 || true
    fi
    courier_port_open 5432 || missing+=("PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (Debian: apt-get install postgresql)")
  fi
  if ! courier_port_open 6379; then
    if command -v redis-server >/dev/null 2>&1; then
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /tmp --logfile /tmp/courier-test-redis.log >/dev/null 2>&1 || true
      sleep 0.5
    fi
    courier_port_open 6379 || missing+=("Redis on 127.0.0.1:6379 (Debian: apt-get install redis-server)")
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    missing+=("redis-server on the PATH (the cluster tests start their own; Debian: apt-get install redis-server)")
  fi
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 || true
    fi
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=("nginx (Debian: apt-get install nginx-light)")
  fi
  # The bench module's comparison test runs Debian's ejabberd (a node of its own; a system
  # instance the package may start is stopped).
  if ! command -v ejabberdctl >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q ejabberd >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ejabberd >/dev/null 2>&1; } || true
      service ejabberd stop >/dev/null 2>&1 || true
    fi
    command -v ejabberdctl >/dev/null 2>&1 || missing+=("ejabberd (Debian: apt-get install ejabberd)")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "The tests need these services, which are not available:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    return 1
  fi
}
