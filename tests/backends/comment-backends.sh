#!/usr/bin/env bash
# Real comment backends on 127.0.0.1 for termnews's integration tests.
#
#   comment-backends.sh install      Debian packages for WordPress (needs root) and the Isso venv
#   comment-backends.sh start DIR    start Isso (twice: publishing, and moderating) and WordPress
#                                    (MariaDB on a private socket + PHP's built-in server);
#                                    prints DIR/backends.json (URLs, post ids, Application Password)
#   comment-backends.sh stop DIR     stop everything started under DIR
#   comment-backends.sh wp-stop DIR  take WordPress's web server away (the database stays up)
#   comment-backends.sh wp-start DIR bring it back on the same port
#
# Ports come from ISSO_PORT, ISSO_MOD_PORT and WP_PORT, else free ones are picked; with
# BACKENDS_OWNER_PID set, everything stops by itself once that process is gone. The Isso
# venv is kept in $TERMNEWS_BACKENDS_CACHE (default ~/.cache/termnews-test-backends).
set -euo pipefail

ISSO_VERSION=0.14.0
CACHE=${TERMNEWS_BACKENDS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/termnews-test-backends}
VENV=$CACHE/isso-$ISSO_VERSION

log() { echo "comment-backends: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {  # url [seconds] -- poll until the server answers (any status)
  local url=$1 n=$(( ${2:-20} * 10 ))
  for _ in $(seq 1 "$n"); do curl -s -o /dev/null "$url" && return 0; sleep 0.1; done
  log "timeout waiting for $url"; return 1
}

daemon() {  # name logfile cmd... -- start detached, remember the pid in DIR/pids/name
  local name=$1 logfile=$2; shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  echo $! > "$DIR/pids/$name"
}

stop_one() {  # name
  local f=$DIR/pids/$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f"); rm -f "$f"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

have_wordpress_deps() {
  command -v php >/dev/null && [ -d /usr/share/wordpress ] && command -v mariadbd >/dev/null \
    && php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' 
}

install_wordpress_deps() {  # ~45 s and ~284 MB from a bare machine; apache2 comes along unused
  have_wordpress_deps && return 0
  [ "$(id -u)" = 0 ] || { log "WordPress needs: apt-get install wordpress php-cli php-mysql php-mbstring php-xml mariadb-server (as root)"; return 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wordpress wordpress-theme-twentytwentythree \
    php-cli php-mysql php-mbstring php-xml mariadb-server curl >/dev/null
}

install_isso() {  # ~25 s the first time (misaka is compiled), then cached
  [ -f "$VENV/.complete" ] && return 0
  mkdir -p "$CACHE"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  if ! "$VENV/bin/pip" install -q --disable-pip-version-check "isso==$ISSO_VERSION" \
      > "$CACHE/pip.log" 2>&1; then
    log "pip install isso failed:"; tail -20 "$CACHE/pip.log" >&2; return 1
  fi
  touch "$VENV/.complete"  # only a complete venv is ever used
}

# ---------------------------------------------------------------- Isso
start_isso() {  # name port moderation
  local name=$1 port=$2 moderation=$3 d=$DIR/$1
  mkdir -p "$d"
  cat > "$d/isso.cfg" <<CFG
[general]
dbpath = $d/comments.db
# isso needs a host; it is never fetched because clients always send a title
host = http://127.0.0.1:$port/
notify = stdout
max-age = 15m
[moderation]
enabled = $moderation
[server]
listen = http://127.0.0.1:$port/
[guard]
# every test request comes from 127.0.0.1: loosen the per-IP limits (2/min by default)
enabled = true
ratelimit = 1000
direct-reply = 1000
reply-to-self = true
[hash]
salt = ci-only-salt
CFG
  daemon "$name" "$d/isso.log" "$VENV/bin/isso" -c "$d/isso.cfg" run
}

# ---------------------------------------------------------------- WordPress
start_mariadb() {
  local d=$DIR/wp
  daemon mariadb "$d/mariadbd.log" mariadbd --no-defaults --datadir="$d/mysql" \
    --socket="$d/mysql.sock" --pid-file="$d/mariadbd.pid" --skip-networking \
    --user="$(id -un)" --innodb-buffer-pool-size=32M --log-error="$d/mariadbd.err"
  for _ in $(seq 1 200); do
    mariadb-admin --socket="$d/mysql.sock" ping >/dev/null 2>&1 && return 0; sleep 0.1
  done
  log "MariaDB did not start: $(tail -5 "$d/mariadbd.err" 2>/dev/null)"; return 1
}

start_wp_http() {
  local d=$DIR/wp port
  port=$(cat "$d/port")
  daemon wp-http "$d/php-server.log" php -S "127.0.0.1:$port" -t "$d/root" "$d/router.php"
  wait_http "http://127.0.0.1:$port/wp-json/"
}

setup_wordpress() {  # port
  local d=$DIR/wp port=$1
  mkdir -p "$d"; echo "$port" > "$d/port"
  mariadb-install-db --no-defaults --datadir="$d/mysql" --user="$(id -un)" \
    --auth-root-authentication-method=socket --skip-test-db > "$d/install-db.log" 2>&1
  start_mariadb
  mariadb --socket="$d/mysql.sock" -u root -e "CREATE DATABASE wordpress;
    CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp'; GRANT ALL ON wordpress.* TO 'wp'@'localhost';"
  # a private copy of Debian's WordPress with its own wp-config.php (/etc/wordpress untouched)
  cp -rL /usr/share/wordpress "$d/root"
  cat > "$d/root/wp-config.php" <<PHP
<?php
define( 'DB_NAME', 'wordpress' ); define( 'DB_USER', 'wp' ); define( 'DB_PASSWORD', 'wp' );
define( 'DB_HOST', 'localhost:$d/mysql.sock' ); define( 'DB_CHARSET', 'utf8mb4' ); define( 'DB_COLLATE', '' );
foreach ( array( 'AUTH_KEY','SECURE_AUTH_KEY','LOGGED_IN_KEY','NONCE_KEY','AUTH_SALT','SECURE_AUTH_SALT','LOGGED_IN_SALT','NONCE_SALT' ) as \$k ) define( \$k, 'ci-' . \$k );
\$table_prefix = 'wp_';
define( 'WP_ENVIRONMENT_TYPE', 'local' );  // Application Passwords need HTTPS unless 'local'
define( 'WP_HOME', 'http://127.0.0.1:$port' ); define( 'WP_SITEURL', 'http://127.0.0.1:$port' );
define( 'AUTOMATIC_UPDATER_DISABLED', true ); define( 'DISABLE_WP_CRON', true ); define( 'WP_HTTP_BLOCK_EXTERNAL', true );
if ( ! defined( 'ABSPATH' ) ) define( 'ABSPATH', __DIR__ . '/' );
require_once ABSPATH . 'wp-settings.php';
PHP
  mkdir -p "$d/root/wp-content/mu-plugins"
  cat > "$d/root/wp-content/mu-plugins/termnews-tests.php" <<'PHP'
<?php
add_filter( 'pre_wp_mail', '__return_true' );   // no mail here
add_filter( 'rest_allow_anonymous_comments', '__return_true' );
remove_action( 'check_comment_flood', 'check_comment_flood_db' );  // 15 s per-IP flood window
PHP
  cat > "$d/router.php" <<'PHP'
<?php  // php -S router: real files as they are, everything else -> index.php
$p = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ); $f = $_SERVER['DOCUMENT_ROOT'] . $p;
if ( $p !== '/' && ( is_file( $f ) || is_file( rtrim( $f, '/' ) . '/index.php' ) ) ) return false;
$_SERVER['SCRIPT_NAME'] = '/index.php'; require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
PHP
  # install the site, its posts and an Application Password, without wp-cli
  cat > "$d/setup.php" <<PHP
<?php
\$_SERVER['HTTP_HOST'] = '127.0.0.1:$port'; \$_SERVER['REQUEST_URI'] = '/';
define( 'WP_INSTALLING', true );
require '$d/root/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install( 'Termnews Test Site', 'admin', 'admin@example.com', true, '', 'admin-pass-tests' );
\$GLOBALS['wp_rewrite']->set_permalink_structure( '/%year%/%monthnum%/%postname%/' );
foreach ( array( 'comment_moderation' => 0, 'comment_previously_approved' => 0, 'require_name_email' => 1,
                 'comment_registration' => 0, 'close_comments_for_old_posts' => 0, 'thread_comments' => 1,
                 'moderation_keys' => 'please-hold-this' ) as \$k => \$v )
  update_option( \$k, \$v );
\$posts = array();
foreach ( array( 'open' => array( 'Local council approves new bike lanes', 'bike-lanes', 'open' ),
                 'form' => array( 'Harbour ferry returns for the summer', 'ferry-returns', 'open' ),
                 'queue' => array( 'Library extends its opening hours', 'library-hours', 'open' ),
                 'closed' => array( 'Old news with comments closed', 'old-news', 'closed' ) ) as \$key => \$p )
  \$posts[ \$key ] = wp_insert_post( array( 'post_title' => \$p[0], 'post_name' => \$p[1],
    'post_content' => 'Body of ' . \$p[0] . '.', 'post_status' => 'publish', 'comment_status' => \$p[2], 'post_author' => 1 ) );
\$links = array(); foreach ( \$posts as \$key => \$id ) \$links[ \$key ] = get_permalink( \$id );
\$ap = WP_Application_Passwords::create_new_application_password( 1, array( 'name' => 'termnews-tests' ) );
echo json_encode( array( 'posts' => \$posts, 'permalinks' => \$links, 'hello_post' => 1,
  'user' => 'admin', 'app_password' => \$ap[0], 'hold_word' => 'please-hold-this' ) );
PHP
  php "$d/setup.php" > "$d/setup.json"
  start_wp_http
}

cmd=${1:-}; DIR=${2:-}
case $cmd in
  install)
    install_wordpress_deps
    install_isso ;;
  start)
    [ -n "$DIR" ] || { log "usage: $0 start DIR"; exit 2; }
    mkdir -p "$DIR/pids"
    trap 'log "start failed; stopping what was started"; "$0" stop "$DIR"' ERR
    have_wordpress_deps || { log "WordPress, PHP or MariaDB missing: run '$0 install' as root"; exit 3; }
    install_isso
    isso_port=${ISSO_PORT:-$(free_port)}; isso_mod_port=${ISSO_MOD_PORT:-$(free_port)}
    wp_port=${WP_PORT:-$(free_port)}
    start_isso isso "$isso_port" false
    start_isso isso-mod "$isso_mod_port" true
    setup_wordpress "$wp_port"
    wait_http "http://127.0.0.1:$isso_port/config"
    wait_http "http://127.0.0.1:$isso_mod_port/config"
    python3 - "$DIR" "$isso_port" "$isso_mod_port" "$wp_port" > "$DIR/backends.json" <<'PY'
import json, sys
d, isso, isso_mod, wp = sys.argv[1:]
setup = json.load(open(f"{d}/wp/setup.json"))
print(json.dumps({"isso_url": f"http://127.0.0.1:{isso}", "isso_moderated_url": f"http://127.0.0.1:{isso_mod}",
                  "wp_url": f"http://127.0.0.1:{wp}", "wp": setup}, indent=2))
PY
    if [ -n "${BACKENDS_OWNER_PID:-}" ]; then  # stop everything if the test run dies
      setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; exec bash "$2" stop "$3"' \
        watchdog "$BACKENDS_OWNER_PID" "$0" "$DIR" >/dev/null 2>&1 </dev/null &
    fi
    cat "$DIR/backends.json" ;;
  stop)  # all at once: each takes a second or two to go
    [ -d "$DIR/pids" ] || exit 0
    for f in "$DIR"/pids/*; do [ -e "$f" ] && { stop_one "$(basename "$f")" & }; done
    wait ;;
  wp-stop) stop_one wp-http ;;
  wp-start) start_wp_http ;;
  *) log "usage: $0 install | start DIR | stop DIR | wp-stop DIR | wp-start DIR"; exit 2 ;;
esac
