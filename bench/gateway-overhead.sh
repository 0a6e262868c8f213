#!/usr/bin/env bash
# The gateway's added latency and throughput against calling the upstream directly, side by side in one run.
#
#   bench/gateway-overhead.sh            (needs wrk, a JDK 17+, PostgreSQL and an AMQP broker:
#                                         TF_POSTGRES_HOST / TF_RABBITMQ_HOST, default 127.0.0.1)
#
# For each upstream delay (0 ms and 50 ms) it runs wrk against the stub directly, through nginx as a plain reverse
# proxy (the ceiling a proxy reaches on this machine: keep-alive to the upstream, no access log) and through the
# gateway with a real API key (authentication, identity token, limits, budgets, routing, circuit breaker all on),
# each after a warm-up, and prints p50/p99 latency, the added latency, the throughput against direct and the
# gateway's throughput against nginx's. A bare Spring Cloud Gateway (bench/bare-gateway: the same framework and
# versions, one route, nothing of ours) runs beside them: the framework's own floor on this machine.
# Results go to bench/results/.
# BENCH_DELAYS (default "0 50") picks the upstream delays in ms. BENCH_GATEWAY_JAVA_OPTS adds JVM options to the gateway, e.g. a flight recording to profile it:
#   BENCH_GATEWAY_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/gateway.jfr,settings=profile"
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
STUB_PORT=${BENCH_STUB_PORT:-19001}
GATEWAY_PORT=${BENCH_GATEWAY_PORT:-18080}
export TF_POSTGRES_HOST=${TF_POSTGRES_HOST:-127.0.0.1} TF_POSTGRES_PORT=${TF_POSTGRES_PORT:-5432}
export TF_POSTGRES_USER=${TF_POSTGRES_USER:-postgres}
export TF_RABBITMQ_HOST=${TF_RABBITMQ_HOST:-127.0.0.1} TF_RABBITMQ_PORT=${TF_RABBITMQ_PORT:-5672}

command -v wrk >/dev/null || { echo "wrk is needed (Debian/Ubuntu: apt-get install wrk)"; exit 2; }
NGINX=${BENCH_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || { echo "nginx is needed for the reverse-proxy baseline (Debian/Ubuntu: apt-get install nginx-light)"; exit 2; }
NGINX_PORT=${BENCH_NGINX_PORT:-18090}
BARE_PORT=${BENCH_BARE_PORT:-18095}
ls gateway/target/gateway-*-exec.jar local-run/target/lib/postgresql-*.jar >/dev/null 2>&1 || ./mvnw -q -B -DskipTests package

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# the stub runs on the gateway's own class path (Reactor Netty), so its cost is the same kind as the gateway's
./mvnw -q -B -pl gateway dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
java -cp "$(cat "$work/classpath")" bench/UpstreamStub.java "$STUB_PORT" > "$work/stub.log" 2>&1 &
pids+=($!)

# nginx as a reverse proxy to the same stub, as one would run it in front of an API: one worker per core,
# HTTP/1.1 keep-alive to the upstream, no access log
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream stub { server 127.0.0.1:$STUB_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://stub; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" > "$work/nginx.log" 2>&1 &
pids+=($!)

./mvnw -q -B -f bench/bare-gateway/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/bare-classpath" > /dev/null
java -Xmx512m -cp "$(cat "$work/bare-classpath")" bench/bare-gateway/BareGateway.java "$BARE_PORT" \
  "http://127.0.0.1:$STUB_PORT" > "$work/bare.log" 2>&1 &
pids+=($!)

database=tf_bench_gateway
java -cp "local-run/target/lib/*" bench/CreateDatabase.java "$TF_POSTGRES_HOST" "$TF_POSTGRES_PORT" "$TF_POSTGRES_USER" "$database"
TF_GATEWAY_PORT=$GATEWAY_PORT TF_GATEWAY_DATABASE=$database \
  TF_INFERENCE_URL=http://127.0.0.1:$STUB_PORT TF_BILLING_URL=http://127.0.0.1:$STUB_PORT \
  TF_API_KEY_PEPPER= TF_API_KEY_PEPPER_FILE="$work/pepper" \
  TF_BOOTSTRAP_ADMIN_KEY_FILE="$work/admin-key" \
  java -Xmx512m ${BENCH_GATEWAY_JAVA_OPTS:-} -jar gateway/target/gateway-*-exec.jar > "$work/gateway.log" 2>&1 &
pids+=($!)

echo "waiting for the gateway..."
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$GATEWAY_PORT/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 1
done
# the bootstrap admin key is written to its owner-only file, never logged
admin=$(cat "$work/admin-key" 2>/dev/null || true)
[ -n "$admin" ] || { echo "no bootstrap admin key in $work/admin-key"; tail -n 30 "$work/gateway.log"; exit 1; }
# limits stay on and are counted, set far above what the machine can send: a 429 would be cheaper than a
# routed request
key=$(curl -fs -X POST "http://127.0.0.1:$GATEWAY_PORT/api/keys" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' \
  -d '{"name":"bench","departmentId":"00000000-0000-0000-0000-0000000000be","scopes":["inference"],"rpmLimit":2000000000,"tpmLimit":2000000000000}' \
  | grep -o '"secret":"[^"]*"' | cut -d'"' -f4)

run() { # url label -> prints "rps p50_ms p99_ms"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $key" "$1" > /dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $key" "$1" > "$work/$2.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$2.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$2.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$2.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$2.txt")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${non2xx:-0}"
}
to_ms() { # wrk prints 812.00us, 1.20ms or 1.02s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.3f", n }'
}

mkdir -p bench/results
result="bench/results/gateway-overhead-$(date -u +%Y-%m-%dT%H%MZ).md"
{
  echo "# Gateway overhead, $(date -u +%Y-%m-%d) — wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET /v1/models"
  echo
  echo "$(nproc) cores, $(java -version 2>&1 | head -n 1); stub, nginx, gateway and wrk share the machine."
  echo
  echo "| upstream | direct req/s | nginx req/s | bare SCG req/s | gateway req/s | gateway/direct | gateway/nginx | bare SCG/nginx | gateway/bare SCG | direct p50 | nginx p50 | bare SCG p50 | gateway p50 | gateway added p50 | nginx added p50 | bare SCG added p50 | direct p99 | gateway p99 | gateway added p99 | non-2xx via gateway |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$result"
for delay in ${BENCH_DELAYS:-0 50}; do
  read -r d_rps d_p50 d_p99 _ <<< "$(run "http://127.0.0.1:$STUB_PORT/v1/models?delay=$delay" "direct-$delay")"
  read -r n_rps n_p50 _ _ <<< "$(run "http://127.0.0.1:$NGINX_PORT/v1/models?delay=$delay" "nginx-$delay")"
  read -r b_rps b_p50 _ _ <<< "$(run "http://127.0.0.1:$BARE_PORT/v1/models?delay=$delay" "bare-$delay")"
  read -r g_rps g_p50 g_p99 g_bad <<< "$(run "http://127.0.0.1:$GATEWAY_PORT/v1/models?delay=$delay" "gateway-$delay")"
  awk -v delay="$delay" -v dr="$d_rps" -v nr="$n_rps" -v br="$b_rps" -v gr="$g_rps" -v d50="$d_p50" -v n50="$n_p50" \
      -v b50="$b_p50" -v g50="$g_p50" -v d99="$d_p99" -v g99="$g_p99" -v bad="$g_bad" \
    'BEGIN { printf "| %s ms | %.0f | %.0f | %.0f | %.0f | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %+.2f ms | %+.2f ms | %+.2f ms | %.2f ms | %.2f ms | %+.2f ms | %s |\n",
             delay, dr, nr, br, gr, 100*gr/dr, 100*gr/nr, 100*br/nr, 100*gr/br, d50, n50, b50, g50, g50-d50, n50-d50, b50-d50, d99, g99, g99-d99, bad }' >> "$result"
done
cat "$result"
echo "written to $result"
