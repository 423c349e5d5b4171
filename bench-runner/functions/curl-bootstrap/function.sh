# The tutorial's handler, with two faults the event can ask for.
function handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2;
  case "$EVENT_DATA" in
    *crash*) kill -9 $$ ;;      # the runtime process dies mid-invocation
    *sleep*) sleep 30 ;;        # outlives the function timeout
  esac
  RESPONSE="Echoing request: '$EVENT_DATA'"
  echo $RESPONSE
}
