#!/usr/bin/env bash
#
# Start, stop and query an Ensemble server, the way Apache ZooKeeper's bin/zkServer.sh does.
#
#   bin/zkServer.sh [--config <conf-dir>] {start|start-foreground|stop|restart|status|version|print-cmd} [cfg]
#
# cfg: a zoo.cfg; a name without a slash is looked up in the conf dir ($ZOOCFGDIR, default
# $ENSEMBLE_HOME/conf). Without one: $ZOO_CFG if set, else <conf-dir>/${ZOOCFG:-zoo.cfg} if it exists,
# else the server's built-in defaults (clientPort 2181, dataDir ./data, tickTime 3000, admin.serverPort 8080).
# Relative paths (the cfg, dataDir) are relative to the directory the script is run from.
#
# Environment:
#   JAVA_HOME          Java to use if it is >= 21; otherwise `java` on PATH or the newest JDK in /usr/lib/jvm
#   SERVER_JVMFLAGS    JVM flags for the server (after the heap flag, so -Xmx here wins)
#   JVMFLAGS           JVM flags for every Java this script starts
#   ZK_SERVER_HEAP     server heap in MB (default 1000)
#   ZOO_LOG_DIR        where the server's console output goes (default $ENSEMBLE_HOME/logs)
#   ZOOPIDFILE         pid file (default <dataDir>/zookeeper_server.pid)
#   ZOO_START_WAIT     seconds `start` waits for the client port to be served before it returns (default 15)
#   ZOO_STOP_TIMEOUT   seconds `stop` waits after SIGTERM before SIGKILL (default 30)
#   ZOO_NOEXEC         if set, start-foreground runs java as a child instead of exec-ing it
#
# If target/ensemble.jar is missing, it is built first with ./mvnw (needs a JDK >= 21).

_zk_src="${BASH_SOURCE[0]}"
while [ -h "$_zk_src" ]; do   # follow symlinks (e.g. /usr/local/bin/zkServer.sh) to the real bin/
  _zk_dir="$(cd -P "$(dirname "$_zk_src")" && pwd)"
  _zk_src="$(readlink "$_zk_src")"
  case "$_zk_src" in /*) ;; *) _zk_src="$_zk_dir/$_zk_src" ;; esac
done
ZOOBINDIR="$(cd -P "$(dirname "$_zk_src")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=zkEnv.sh
. "$ZOOBINDIR/zkEnv.sh"

if [ "${1:-}" = "--config" ]; then
  if [ $# -lt 2 ] || [ ! -d "$2" ]; then
    echo "Error: --config needs an existing configuration directory${2:+, not: $2}" >&2
    exit 1
  fi
  ZOOCFGDIR="$2"
  shift 2
fi

USAGE="Usage: $0 [--config <conf-dir>] {start|start-foreground|stop|restart|status|version|print-cmd} [cfg]"
COMMAND="${1:-}"
CFG_ARG="${2:-}"

absolute() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$PWD/${1#./}" ;;
  esac
}

# --- the configuration file ------------------------------------------------------------------------

resolve_cfg() {   # sets ZOOCFG to an absolute path, or to "" for built-in defaults
  local name explicit=1
  if [ -n "$CFG_ARG" ]; then
    name="$CFG_ARG"
  elif [ -n "${ZOO_CFG:-}" ]; then
    name="$ZOO_CFG"
  elif [ -n "${ZOOCFG:-}" ]; then
    name="$ZOOCFG"
  else
    name="zoo.cfg"
    explicit=0
  fi
  case "$name" in
    */*) ;;                           # a path: use it as it is
    *) name="$ZOOCFGDIR/$name" ;;    # a bare name: look it up in the conf dir, like ZooKeeper
  esac
  if [ -f "$name" ]; then
    ZOOCFG="$(cd "$(dirname "$name")" && pwd)/$(basename "$name")"
  elif [ "$explicit" = 1 ]; then
    die "Error: config file not found: $name"
  else
    ZOOCFG=""
  fi
}

# The value of a zoo.cfg key in MicroProfile Config's order, as the server sees it (empty counts as unset):
# -Dkey=... (or -Dzookeeper.key=...) in SERVER_JVMFLAGS/JVMFLAGS > env var (key, then KEY with non-alphanumerics
# as _) > zoo.cfg > $2.
cfg_value() {
  local key="$1" value="" zk_value="" flag env_name key_re line
  local -a flags
  read -r -a flags <<< "${SERVER_JVMFLAGS:-} ${JVMFLAGS:-}"
  for flag in ${flags[@]+"${flags[@]}"}; do
    case "$flag" in
      "-D$key="*) value="${flag#"-D$key="}" ;;
      "-Dzookeeper.$key="*) zk_value="${flag#"-Dzookeeper.$key="}" ;;   # ZooKeeper's name for the key
    esac
  done
  [ -n "$value" ] || value="$zk_value"
  if [ -z "$value" ]; then
    env_name="$(printf '%s' "$key" | tr -c '[:alnum:]_' '_')"
    for env_name in "$env_name" "$(printf '%s' "$env_name" | tr '[:lower:]' '[:upper:]')"; do
      case "$env_name" in [0-9]*) continue ;; esac
      if [ -n "${!env_name:-}" ]; then value="${!env_name}"; break; fi
    done
  fi
  if [ -z "$value" ] && [ -n "$ZOOCFG" ]; then
    key_re="$(printf '%s' "$key" | sed 's/[.[\*^$]/\\&/g')"
    line="$(sed -n "s/^[[:space:]]*${key_re}[[:space:]]*[=:][[:space:]]*//p" "$ZOOCFG" | tr -d '\r')"
    value="${line##*$'\n'}"   # the last one wins, as in java.util.Properties
  fi
  value="${value%"${value##*[![:space:]]}"}"   # a stray trailing space is trimmed, as the server does
  echo "${value:-$2}"   # an empty value means unset, as in MicroProfile Config
}

resolve_paths() {
  DATA_DIR="$(absolute "$(cfg_value dataDir data)")"
  ZOOPIDFILE="${ZOOPIDFILE:-$DATA_DIR/zookeeper_server.pid}"
  ZOO_LOG_DIR="$(absolute "$ZOO_LOG_DIR")"
  _ZOO_DAEMON_OUT="$ZOO_LOG_DIR/zookeeper-${USER:-$(id -un)}-server-${HOSTNAME:-$(hostname)}.out"
}

# --- java -----------------------------------------------------------------------------------------------

server_command() {   # sets CMD: the java command line of the server
  local -a flags
  [ -n "${JAVA:-}" ] || ensemble_find_java || exit 1
  read -r -a flags <<< "-Xmx${ZK_SERVER_HEAP:-1000}m ${SERVER_JVMFLAGS:-} ${JVMFLAGS:-}"
  CMD=("$JAVA" -XX:+HeapDumpOnOutOfMemoryError "-XX:HeapDumpPath=$ZOO_LOG_DIR" "-XX:OnOutOfMemoryError=kill -9 %p"
       ${flags[@]+"${flags[@]}"} -jar "$JAR")
  if [ -n "$ZOOCFG" ]; then CMD+=("$ZOOCFG"); fi
}

# --- commands ---------------------------------------------------------------------------------------------

running_pid() {   # prints the pid from the pid file if that process is a live server; else nothing
  local pid=""
  [ -f "$ZOOPIDFILE" ] || return 0
  read -r pid < "$ZOOPIDFILE" || true
  if ensemble_pid_alive "$pid" && ensemble_pid_is_server "$pid"; then echo "$pid"; fi
}

# Waits until the server listens on its client port (true), or has exited (false). A bad config or a busy port
# ends the JVM within seconds. Gives up waiting, true, after ZOO_START_WAIT seconds (default 15) if still alive;
# where listening sockets cannot be told (no /proc) it waits 2 seconds.
wait_until_serving() {
  local pid="$1" tenths=0 limit=$((${ZOO_START_WAIT:-15} * 10)) port
  client_endpoint
  port="$CLIENT_PORT"
  case "$port" in ''|0|*[!0-9]*) limit=20; port="" ;; esac   # port 0 or odd: just watch it live
  while ensemble_pid_alive "$pid"; do
    if [ -n "$port" ]; then
      ensemble_pid_listens "$pid" "$port"
      case $? in
        0) return 0 ;;
        2) port=""; limit=20 ;;
      esac
    fi
    [ "$tenths" -lt "$limit" ] || return 0
    sleep 0.1
    tenths=$((tenths + 1))
  done
  return 1
}

do_start() {
  local pid
  ensure_jar
  server_command
  printf 'Starting Ensemble ... '
  pid="$(running_pid)"
  if [ -n "$pid" ]; then
    echo "already running as process $pid."
    return 1
  fi
  mkdir -p "$DATA_DIR" "$ZOO_LOG_DIR" "$(dirname "$ZOOPIDFILE")" || return 1
  nohup "${CMD[@]}" > "$_ZOO_DAEMON_OUT" 2>&1 < /dev/null &
  pid=$!   # nohup execs java: this is the server JVM's own pid
  if ! printf '%s' "$pid" > "$ZOOPIDFILE"; then
    echo "FAILED TO WRITE PID"
    kill "$pid" 2>/dev/null
    return 1
  fi
  if wait_until_serving "$pid"; then
    echo "STARTED"
    return 0
  fi
  echo "FAILED TO START"
  rm -f "$ZOOPIDFILE"
  echo "Last lines of $_ZOO_DAEMON_OUT:" >&2
  tail -n 20 "$_ZOO_DAEMON_OUT" >&2
  return 1
}

wait_for_exit() {   # pid seconds
  local tenths=0
  while ensemble_pid_alive "$1"; do
    [ "$tenths" -lt $(($2 * 10)) ] || return 1
    sleep 0.1
    tenths=$((tenths + 1))
  done
  return 0
}

do_stop() {
  local pid="" timeout="${ZOO_STOP_TIMEOUT:-30}"
  printf 'Stopping Ensemble ... '
  if [ ! -f "$ZOOPIDFILE" ]; then
    echo "no Ensemble to stop (could not find file $ZOOPIDFILE)"
    return 0
  fi
  read -r pid < "$ZOOPIDFILE" || true
  if ! ensemble_pid_alive "$pid" || ! ensemble_pid_is_server "$pid"; then
    rm -f "$ZOOPIDFILE"
    echo "not running (removed stale pid file $ZOOPIDFILE)"
    return 0
  fi
  if ! kill "$pid" 2>/dev/null; then
    echo "FAILED: cannot signal process $pid"
    return 1
  fi
  if ! wait_for_exit "$pid" "$timeout"; then
    printf 'still running after %ss, sending SIGKILL ... ' "$timeout"
    kill -9 "$pid" 2>/dev/null
    if ! wait_for_exit "$pid" 10; then
      echo "FAILED: process $pid did not exit"
      return 1
    fi
  fi
  rm -f "$ZOOPIDFILE"
  echo "STOPPED"
}

client_endpoint() {   # sets CLIENT_ADDRESS and CLIENT_PORT, as status and start look for the server
  local myid="" server
  CLIENT_ADDRESS="$(cfg_value clientPortAddress "")"
  CLIENT_PORT="$(cfg_value clientPort "")"
  if [ -z "$CLIENT_PORT" ] && [ -n "$ZOOCFG" ]; then   # server.N=host:2888:3888[:role];[address:]clientPort
    if [ -r "$DATA_DIR/myid" ]; then read -r myid < "$DATA_DIR/myid" || true; fi
    if [ -n "$myid" ]; then
      server="$(cfg_value "server.$myid" "")"
      case "$server" in
        *\;*)
          server="${server##*;}"
          case "$server" in
            *:*) CLIENT_ADDRESS="${server%:*}"; CLIENT_PORT="${server##*:}" ;;
            *) CLIENT_PORT="$server" ;;
          esac ;;
      esac
    fi
  fi
  CLIENT_PORT="${CLIENT_PORT:-2181}"
  case "$CLIENT_ADDRESS" in ''|0.0.0.0|::|'[::]') CLIENT_ADDRESS=localhost ;; esac
}

do_status() {
  local reply mode
  client_endpoint
  case "$CLIENT_PORT" in ''|*[!0-9]*) die "Error: clientPort '$CLIENT_PORT' is not a number" ;; esac
  echo "Client port found: $CLIENT_PORT. Client address: $CLIENT_ADDRESS."
  reply="$(ensemble_four_letter_word "$CLIENT_ADDRESS" "$CLIENT_PORT" srvr)"
  mode="$(printf '%s\n' "$reply" | grep 'Mode:')"
  if [ -z "$mode" ]; then
    case "$reply" in *whitelist*) echo "$reply" ;; esac   # srvr is not in 4lw.commands.whitelist
    echo "Error contacting service. It is probably not running."
    return 1
  fi
  echo "$mode"
}

do_version() {
  local version=""
  if [ -f "$JAR" ] && command -v unzip >/dev/null 2>&1; then
    version="$(unzip -p "$JAR" META-INF/maven/io.ensemble/ensemble/pom.properties 2>/dev/null \
      | sed -n 's/^version=//p' | tr -d '\r')"
  fi
  if [ -z "$version" ] && [ -f "$ENSEMBLE_HOME/pom.xml" ]; then   # the project's own <version>, after <parent>
    version="$(sed -n '/<\/parent>/,$ s:.*<version>\([^<]*\)</version>.*:\1:p' "$ENSEMBLE_HOME/pom.xml")"
    version="${version%%$'\n'*}"
  fi
  echo "Ensemble, version ${version:-unknown}"
}

case "$COMMAND" in
  start|start-foreground|stop|restart|status|print-cmd) ;;
  version) do_version; exit 0 ;;
  *) die "$USAGE" ;;
esac

resolve_cfg
resolve_paths
echo "Using config: ${ZOOCFG:-(none: built-in defaults)}" >&2

case "$COMMAND" in
  start)
    do_start
    ;;
  start-foreground)
    ensure_jar
    server_command
    mkdir -p "$DATA_DIR" || exit 1
    if [ -n "${ZOO_NOEXEC:-}" ]; then
      "${CMD[@]}"
    else
      exec "${CMD[@]}"
    fi
    ;;
  stop)
    do_stop
    ;;
  restart)
    do_stop && do_start
    ;;
  status)
    do_status
    ;;
  print-cmd)
    ensure_jar
    server_command
    printf '%q ' "${CMD[@]}"
    printf '> %q 2>&1 < /dev/null\n' "$_ZOO_DAEMON_OUT"
    ;;
esac
