# The tutorial's handler, with faults the event can ask for.
function handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2;
  case "$EVENT_DATA" in
    *crash*) kill -9 $$ ;;      # the runtime process dies mid-invocation
    # A process that leaves the function's process group (setsid) and outlives the handler.
    *escape-and-sleep*) setsid sleep 31 </dev/null >/dev/null 2>&1 & sleep 30 ;;
    *escape*) setsid sleep 31 </dev/null >/dev/null 2>&1 & ;;
    *sleep*) sleep 30 ;;        # outlives the function timeout
    *scratch*) echo kept > "${TMPDIR:?no TMPDIR}/scratch-file" ;;  # a file in the environment's /tmp
  esac
  RESPONSE="Echoing request: '$EVENT_DATA'"
  echo $RESPONSE
}
