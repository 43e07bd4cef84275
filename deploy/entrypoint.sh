#!/bin/sh
# The image's entry point: web (the default), worker or cron, or any other command.
# RUN_MIGRATIONS=1 makes the web role bring the schema up to date before it starts.
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
      joren db upgrade
    fi
    exec gunicorn -c "$(dirname "$0")/gunicorn.conf.py" "joren.app:create_app()" "$@"
    ;;
  worker)
    exec joren worker "$@"
    ;;
  cron)
    exec joren cron "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
