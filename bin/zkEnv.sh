#!/usr/bin/env bash
#
# Environment for Ensemble's scripts. Sourced (not run) by bin/zkServer.sh and .ci/run.
#
# Sets ENSEMBLE_HOME (the directory above bin/), ZOOCFGDIR (default $ENSEMBLE_HOME/conf) and
# ZOO_LOG_DIR (default $ENSEMBLE_HOME/logs), and defines:
#
#   ensemble_find_java [--jdk]   find a Java >= $ENSEMBLE_MIN_JAVA (21): $JAVA_HOME if new enough, else
#                                `java` on PATH if new enough, else the newest one under $ENSEMBLE_JDK_DIRS.
#                                Sets JAVA and ENSEMBLE_JAVA_MAJOR, exports JAVA_HOME; returns 1 with a
#                                clear message when there is none. --jdk also requires javac (to build).
#   ensemble_java_major <home>   the feature version (8, 17, 21, 25, ...) of the Java in <home>
#   ensemble_pid_alive <pid>     true if the process exists and is not a zombie
#   ensemble_pid_is_server <pid> true if the process is java running ensemble.jar (not a reused pid)
#   ensemble_pid_listens <pid> <port>
#                                0 if the process listens on the TCP port, 1 if not, 2 if this cannot be told
#                                (no /proc/net/tcp)
#   ensemble_four_letter_word <host> <port> <word> [timeout-seconds]
#                                send a four-letter word, print the reply (bash /dev/tcp; nc or a
#                                one-file Java program where bash has no /dev/tcp)
#
# Works under `set -euo pipefail` and with bash 3.2.

ENSEMBLE_MIN_JAVA="${ENSEMBLE_MIN_JAVA:-21}"
# Where to look for JDKs when neither JAVA_HOME nor PATH has one that is new enough (colon-separated).
ENSEMBLE_JDK_DIRS="${ENSEMBLE_JDK_DIRS:-/usr/lib/jvm:/usr/java:/opt/java:/Library/Java/JavaVirtualMachines}"

_ensemble_env_src="${BASH_SOURCE[0]}"
while [ -h "$_ensemble_env_src" ]; do   # follow symlinks to the real bin/
  _ensemble_env_dir="$(cd -P "$(dirname "$_ensemble_env_src")" && pwd)"
  _ensemble_env_src="$(readlink "$_ensemble_env_src")"
  case "$_ensemble_env_src" in /*) ;; *) _ensemble_env_src="$_ensemble_env_dir/$_ensemble_env_src" ;; esac
done
ENSEMBLE_HOME="$(cd -P "$(dirname "$_ensemble_env_src")/.." && pwd)"
JAR="$ENSEMBLE_HOME/target/ensemble.jar"
LIBS="$ENSEMBLE_HOME/target/libs"

die() {
  echo "$*" >&2
  exit 1
}

# Builds target/ensemble.jar (and target/libs) with the wrapper when a fresh clone has none yet.
ensure_jar() {
  if [ -f "$JAR" ] && [ -d "$LIBS" ]; then return 0; fi
  echo "target/ensemble.jar is missing: building it with ./mvnw -q -B -DskipTests package ..." >&2
  ensemble_find_java --jdk || exit 1
  if ! (cd "$ENSEMBLE_HOME" && ./mvnw -q -B -DskipTests package < /dev/null >&2); then
    die "Error: the build failed; run ./mvnw -B -DskipTests package in $ENSEMBLE_HOME to see why."
  fi
  [ -f "$JAR" ] || die "Error: the build did not produce $JAR"
}
export ENSEMBLE_HOME
unset _ensemble_env_src _ensemble_env_dir

ZOOCFGDIR="${ZOOCFGDIR:-$ENSEMBLE_HOME/conf}"
ZOO_LOG_DIR="${ZOO_LOG_DIR:-$ENSEMBLE_HOME/logs}"

ensemble_java_major() {
  local home="$1" v=""
  if [ -r "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")"
  fi
  if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
    v="$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^[[:space:]]*java\.specification\.version = //p')"
  fi
  v="${v%%$'\n'*}"   # first line
  v="${v#1.}"          # 1.8.0_402 -> 8.0_402
  v="${v%%[!0-9]*}"    # 25.0.3 -> 25, 21-ea -> 21
  echo "$v"
}

# The Java home of the `java` found on PATH, or nothing.
_ensemble_path_java_home() {
  local java home
  java="$(command -v java 2>/dev/null || true)"
  [ -n "$java" ] || return 0
  home="$(readlink -f "$java" 2>/dev/null || true)"
  home="${home%/bin/java}"
  if [ -z "$home" ] || [ ! -x "$home/bin/java" ]; then   # no GNU readlink, or an odd layout: ask java
    home="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^[[:space:]]*java\.home = //p')"
    home="${home%%$'\n'*}"
  fi
  if [ -n "$home" ] && [ -x "$home/bin/java" ]; then
    echo "$home"
  fi
}

# _ensemble_usable <home> <need_javac>: sets _ensemble_major; true if <home> holds a Java that is new enough.
_ensemble_usable() {
  _ensemble_major=""
  [ -x "$1/bin/java" ] || return 1
  _ensemble_major="$(ensemble_java_major "$1")"
  [ -n "$_ensemble_major" ] && [ "$_ensemble_major" -ge "$ENSEMBLE_MIN_JAVA" ] || return 1
  if [ "$2" = 1 ] && [ ! -x "$1/bin/javac" ]; then
    _ensemble_major="$_ensemble_major, no javac"
    return 1
  fi
  return 0
}

ensemble_find_java() {
  local need_javac=0 what="Java" home found="" tried="" root dir best="" best_major=0 major old_ifs
  if [ "${1:-}" = "--jdk" ]; then need_javac=1; what="JDK"; fi

  if [ -n "${JAVA_HOME:-}" ]; then
    if _ensemble_usable "$JAVA_HOME" "$need_javac"; then
      found="$JAVA_HOME"
    else
      tried="$tried
  JAVA_HOME=$JAVA_HOME (${_ensemble_major:-no java there})"
    fi
  fi

  if [ -z "$found" ]; then
    home="$(_ensemble_path_java_home)"
    if [ -n "$home" ] && _ensemble_usable "$home" "$need_javac"; then
      found="$home"
    else
      tried="$tried
  java on PATH: ${home:-none}${home:+ (${_ensemble_major:-unknown version})}"
    fi
  fi

  if [ -z "$found" ]; then
    old_ifs="$IFS"; IFS=:
    for root in $ENSEMBLE_JDK_DIRS; do
      IFS="$old_ifs"
      [ -d "$root" ] || continue
      for dir in "$root"/*; do
        [ -d "$dir/Contents/Home" ] && dir="$dir/Contents/Home"   # macOS layout
        if _ensemble_usable "$dir" "$need_javac"; then
          major="${_ensemble_major%%[!0-9]*}"
          if [ "$major" -gt "$best_major" ]; then best="$dir"; best_major="$major"; fi
        fi
      done
    done
    IFS="$old_ifs"
    if [ -n "$best" ]; then
      found="$best"
    else
      tried="$tried
  $ENSEMBLE_JDK_DIRS: no $what >= $ENSEMBLE_MIN_JAVA"
    fi
  fi

  if [ -z "$found" ]; then
    echo "Error: Ensemble needs a $what >= $ENSEMBLE_MIN_JAVA (Helidon 4) and found none. Looked at:$tried" >&2
    echo "Install JDK $ENSEMBLE_MIN_JAVA or newer and point JAVA_HOME at it." >&2
    return 1
  fi
  if [ -n "${JAVA_HOME:-}" ] && [ "$found" != "$JAVA_HOME" ]; then
    echo "Note: JAVA_HOME=$JAVA_HOME is not a usable $what >= $ENSEMBLE_MIN_JAVA; using $found" >&2
  fi
  _ensemble_usable "$found" "$need_javac" || true
  JAVA_HOME="$found"
  export JAVA_HOME
  JAVA="$JAVA_HOME/bin/java"
  export ENSEMBLE_JAVA_MAJOR="$_ensemble_major"
  return 0
}

# The process state letter (R, S, Z, ...) or nothing if unknown.
_ensemble_pid_state() {
  if [ -r "/proc/$1/stat" ]; then
    sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1
  else
    ps -o stat= -p "$1" 2>/dev/null | cut -c1
  fi
}

ensemble_pid_alive() {
  case "$1" in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$1" 2>/dev/null || return 1
  case "$(_ensemble_pid_state "$1")" in Z|X) return 1 ;; esac   # a zombie has exited already
  return 0
}

ensemble_pid_is_server() {   # argv[0] is java and the command line runs ensemble.jar: not some reused pid
  local argv0="" cmdline=""
  if [ -r "/proc/$1/cmdline" ]; then
    IFS= read -r -d '' argv0 < "/proc/$1/cmdline" 2>/dev/null || true
    cmdline="$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)"
  else
    argv0="$(ps -o comm= -p "$1" 2>/dev/null)"
    cmdline="$(ps -o command= -p "$1" 2>/dev/null)"
  fi
  case "$argv0" in java|*/java) ;; *) return 1 ;; esac
  case "$cmdline" in *ensemble.jar*) return 0 ;; esac
  return 1
}

ensemble_pid_listens() {
  local pid="$1" hex inodes inode fds
  [ -r /proc/net/tcp ] && [ -d "/proc/$pid/fd" ] || return 2
  hex="$(printf '%04X' "$2")"
  # /proc/net/tcp{,6}: local_address is HEXIP:HEXPORT, st 0A is LISTEN, field 10 is the socket inode
  inodes="$(awk -v port=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { print $10 }' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
  [ -n "$inodes" ] || return 1
  fds="$(ls -l "/proc/$pid/fd" 2>/dev/null)"
  for inode in $inodes; do
    case "$fds" in *"socket:[$inode]"*) return 0 ;; esac
  done
  return 1
}

# Run "$@" under coreutils' timeout when there is one.
_ensemble_timeout() {
  local secs="$1"; shift
  if command -v timeout >/dev/null 2>&1; then
    timeout "$secs" "$@"
  else
    "$@"
  fi
}

_ensemble_has_dev_tcp() {
  # Bash built without network redirections treats /dev/tcp/... as a missing file.
  case "$(LC_ALL=C bash -c ': 3<>/dev/tcp/127.0.0.1/1' 2>&1)" in
    *"No such file or directory"*) return 1 ;;
  esac
  return 0
}

ensemble_four_letter_word() {
  local host="$1" port="$2" word="$3" secs="${4:-5}" tmp rc
  if _ensemble_has_dev_tcp; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    _ensemble_timeout "$((secs + 1))" bash -c '
      exec 3<>"/dev/tcp/$1/$2" || exit 1
      printf "%s" "$3" >&3
      while IFS= read -r -t "$4" line <&3 || [ -n "$line" ]; do printf "%s\n" "$line"; line=""; done' \
      _ "$host" "$port" "$word" "$secs" 2>/dev/null
    return
  fi
  if command -v nc >/dev/null 2>&1; then
    printf '%s' "$word" | nc -w "$secs" "$host" "$port" 2>/dev/null
    return
  fi
  if [ -z "${JAVA:-}" ]; then ensemble_find_java --jdk >/dev/null 2>&1 || return 1; fi
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/ensemble-4lw.XXXXXX")" || return 1
  cat > "$tmp/FourLetterWord.java" <<'EOF'
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

public class FourLetterWord {
    public static void main(String[] a) throws Exception {
        int timeoutMs = Integer.parseInt(a[3]) * 1000;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(a[0], Integer.parseInt(a[1])), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write(a[2].getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.getInputStream().transferTo(System.out);
        }
    }
}
EOF
  "$JAVA" "$tmp/FourLetterWord.java" "$host" "$port" "$word" "$secs" 2>/dev/null
  rc=$?
  rm -rf "$tmp"
  return "$rc"
}
