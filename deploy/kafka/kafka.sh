#!/usr/bin/env bash
# A single-node KRaft Apache Kafka broker on loopback, resolved from Maven Central (no Docker needed).
#   deploy/kafka/kafka.sh fetch   resolve the broker's jars into .cache/kafka/libs
#   deploy/kafka/kafka.sh start   format storage (first time) and start the broker in the background
#   deploy/kafka/kafka.sh run     the same, in the foreground
#   deploy/kafka/kafka.sh stop    stop it and wait until it is gone
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HOME (.cache/kafka), KAFKA_HEAP (512m)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
home=${KAFKA_HOME:-$root/.cache/kafka}
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
data=$home/data-$port
pidfile=$home/broker-$port.pid

fetch() {
  if [ -f "$home/libs/.complete" ]; then return; fi
  mkdir -p "$home/libs"
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$home/libs")
  touch "$home/libs/.complete"
}

# exec: the pid a caller sees ($! of a background java_cmd) is the broker's own, so `stop` reaches it.
java_cmd() {
  exec java -Xms256m -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$data/logs" \
    -cp "$home/libs/*" "$@"
}

configure() {
  mkdir -p "$data/logs"
  cat > "$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/kraft
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [ ! -f "$data/kraft/meta.properties" ]; then
    (java_cmd kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$(java_cmd kafka.tools.StorageTool random-uuid)" -c "$data/server.properties" >/dev/null)
  fi
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

wait_ready() {
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$data/logs/server.log" 2>/dev/null; then return 0; fi
    running || { echo "kafka: broker exited; see $data/logs/server.log" >&2; return 1; }
    sleep 0.5
  done
  echo "kafka: broker did not start within 60 s; see $data/logs/server.log" >&2
  return 1
}

case "${1:-}" in
  fetch) fetch ;;
  start)
    fetch
    if running; then echo "kafka: already running on 127.0.0.1:$port"; exit 0; fi
    configure
    : > "$data/logs/server.log"
    (java_cmd kafka.Kafka "$data/server.properties" > "$data/logs/stdout.log" 2>&1) &
    echo $! > "$pidfile"
    wait_ready
    echo "kafka: ready on 127.0.0.1:$port (data in $data)" ;;
  run)
    fetch; configure
    java_cmd kafka.Kafka "$data/server.properties" ;;
  stop)
    if running; then
      pid=$(cat "$pidfile"); kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile" ;;
  *) echo "usage: $0 fetch|start|run|stop" >&2; exit 2 ;;
esac
