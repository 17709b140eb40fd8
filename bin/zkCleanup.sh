#!/usr/bin/env bash
#
# Deletes old snapshots and transaction logs, the way Apache ZooKeeper's bin/zkCleanup.sh does.
#
#   bin/zkCleanup.sh [zoo.cfg | dataDir [dataLogDir]] -n count
#
# Keeps the newest <count> snapshots (at least 3) and every transaction log that recovery from the oldest of them
# needs; deletes the older files. Safe while the server runs.
#
#   zoo.cfg     a configuration file: its dataDir and dataLogDir (default: dataDir) are cleaned, and -n defaults
#               to its autopurge.snapRetainCount. A bare name is looked up in the conf dir ($ZOOCFGDIR, default
#               $ENSEMBLE_HOME/conf), as zkServer.sh does.
#   dataDir     the snapshot directory (with or without its version-2 subdirectory)
#   dataLogDir  the transaction log directory (default: dataDir)
#   -n count    snapshots to keep (default 3)
# With neither a zoo.cfg nor a dataDir: $ZOO_CFG if set, else <conf-dir>/${ZOOCFG:-zoo.cfg}.
#
# Environment: JAVA_HOME (Java >= 21; otherwise `java` on PATH or the newest JDK in /usr/lib/jvm), JVMFLAGS.
# If target/ensemble.jar is missing, it is built first with ./mvnw (needs a JDK >= 21).

_zk_src="${BASH_SOURCE[0]}"
while [ -h "$_zk_src" ]; do   # follow symlinks to the real bin/
  _zk_dir="$(cd -P "$(dirname "$_zk_src")" && pwd)"
  _zk_src="$(readlink "$_zk_src")"
  case "$_zk_src" in /*) ;; *) _zk_src="$_zk_dir/$_zk_src" ;; esac
done
ZOOBINDIR="$(cd -P "$(dirname "$_zk_src")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=zkEnv.sh
. "$ZOOBINDIR/zkEnv.sh"

USAGE="Usage: $0 [zoo.cfg | dataDir [dataLogDir]] -n count"

# Split the arguments: options (-n count) pass through; the first positional may be a zoo.cfg.
args=()
positional=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help|-\?) echo "$USAGE"; exit 0 ;;
    -n)
      [ $# -ge 2 ] || die "Error: -n needs a count
$USAGE"
      args+=("$1" "$2"); shift 2; continue ;;
    -*) die "Error: unknown option $1
$USAGE" ;;
  esac
  if [ "$positional" = 0 ] && [ ! -e "$1" ]; then
    case "$1" in
      */*) ;;
      *) if [ -f "$ZOOCFGDIR/$1" ]; then set -- "$ZOOCFGDIR/$1" "${@:2}"; fi ;;   # a bare cfg name
    esac
  fi
  args+=("$1")
  positional=$((positional + 1))
  shift
done

if [ "$positional" = 0 ]; then
  cfg="${ZOO_CFG:-${ZOOCFG:-zoo.cfg}}"
  case "$cfg" in */*) ;; *) cfg="$ZOOCFGDIR/$cfg" ;; esac
  [ -f "$cfg" ] || die "Error: no zoo.cfg or dataDir given and $cfg does not exist
$USAGE"
  args=("$cfg" ${args[@]+"${args[@]}"})
fi

ensure_jar
[ -n "${JAVA:-}" ] || ensemble_find_java || exit 1
read -r -a flags <<< "${JVMFLAGS:-}"
exec "$JAVA" ${flags[@]+"${flags[@]}"} -cp "$JAR:$LIBS/*" io.ensemble.storage.PurgeTool "${args[@]}"
