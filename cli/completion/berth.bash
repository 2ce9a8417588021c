# bash completion for berth. Installed as
# PREFIX/share/bash-completion/completions/berth, where bash-completion
# (Debian's package of it) finds it when PREFIX is ~/.local, /usr/local or
# /usr; otherwise source it from ~/.bashrc.
#
# Completes commands and their options (each option once), the values of
# --format and --signal, directories after --registry and --scope (and
# none after --scope), app names (from `berth list`, in the --registry and
# --scope given) where a command takes an APP, held ports where it takes a
# PORT (who, wait, release --port), and the server's command after
# `berth run APP... --`.
#
# The commands, options and values here are those of berth's command table
# (cli/commands.cc); //cli/completion:table_test fails when they differ.

_berth_list() { # _berth_list FIELD [LIST OPTIONS...]: the registry's values of FIELD
  local field=$1
  shift
  berth list --json "$@" 2>/dev/null |
    grep -o "\"$field\": \"\?[^\",}]*" | sed 's/.*: "\?//' | sort -u
}

_berth() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -n = || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  COMPREPLY=()

  local commands="run get wait stop url list who release prune inspect"
  # The options that take a value: the next word.
  local valued="--port --range --host --owner --format --timeout --signal --scope --registry"

  # The words before the current one, by the rules of cli/args.h: options
  # (and their values) until `--`, operands, and for run the `--` after
  # the first operand, where the server's command line starts.
  local cmd="" ended="" value_of="" given=" " i word
  local operands=() listing=()
  for ((i = 1; i < cword; i++)); do
    word=${words[i]}
    if [ -z "$cmd" ]; then
      cmd=$word
    elif [ "$word" = -- ] && [ "$cmd" = run ] && [ ${#operands[@]} -gt 0 ]; then
      if declare -F _command_offset >/dev/null; then
        _command_offset $((i + 1))
      else
        COMPREPLY=($(compgen -c -- "$cur"))
      fi
      return
    elif [ -n "$ended" ] || [[ $word != -* ]] || [[ $word =~ ^-[0-9] ]]; then
      operands+=("$word")
    elif [ "$word" = -- ]; then
      ended=1
    else
      given+="${word%%=*} "
      case $word in
        --registry | --scope) listing+=("$word" "${words[i + 1]}") ;;
        --registry=* | --scope=*) listing+=("$word") ;;
      esac
      if [[ " $valued " == *" $word "* ]]; then
        ((i + 1 == cword)) && value_of=$word
        ((i++))
      fi
    fi
  done

  if [ -n "$value_of" ]; then
    local choices=""
    case $value_of in
      --registry) COMPREPLY=($(compgen -d -- "$cur")) ;;
      --scope) COMPREPLY=($(compgen -d -W none -- "$cur")) ;;
      --port)
        [ "$cmd" = release ] &&
          COMPREPLY=($(compgen -W "$(_berth_list port "${listing[@]}")" -- "$cur"))
        ;;
      --format) choices="port env json" ;;
      --signal) choices="TERM INT HUP QUIT KILL USR1 USR2" ;;
    esac
    [ -n "$choices" ] && COMPREPLY=($(compgen -W "$choices" -- "$cur"))
    return
  fi

  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "$commands --help" -- "$cur"))
    return
  fi
  local opts
  case $cmd in
    run) opts="--port --range --socket --host --scope --registry" ;;
    get) opts="--port --range --owner --format --json --scope --registry" ;;
    wait) opts="--timeout --free --scope --registry" ;;
    stop) opts="--signal --timeout --kill-after --scope --registry" ;;
    url) opts="--scope --registry" ;;
    list) opts="--json --scope --registry" ;;
    who) opts="--json --registry" ;;
    release) opts="--port --scope --registry" ;;
    prune) opts="--registry" ;;
    inspect) opts="--json --registry" ;;
    *) return ;;
  esac
  if [ -z "$ended" ] && [[ $cur == -* ]] && ! [[ $cur =~ ^-[0-9] ]]; then
    local offered="--help" opt
    [ "$cmd" = run ] && offered+=" --"
    for opt in $opts; do
      [[ $given == *" $opt "* ]] || offered+=" $opt"
    done
    COMPREPLY=($(compgen -W "$offered" -- "$cur"))
    return
  fi

  # Operands: app names (each once), held ports.
  local apps="" ports="" app named=" ${operands[*]} "
  case $cmd in
    run | get | url) apps=1 ;;
    stop) [ ${#operands[@]} -eq 0 ] && apps=1 ;;
    release) [ ${#operands[@]} -eq 0 ] && [[ $given != *" --port "* ]] && apps=1 ;;
    wait) [ ${#operands[@]} -eq 0 ] && apps=1 && ports=1 ;;
    who) [ ${#operands[@]} -eq 0 ] && ports=1 ;;
  esac
  local candidates=""
  if [ -n "$apps" ]; then
    for app in $(_berth_list app "${listing[@]}"); do
      [[ $named == *" $app "* ]] || candidates+=" $app"
    done
  fi
  [ -n "$ports" ] && candidates+=" $(_berth_list port "${listing[@]}")"
  [ -n "$candidates" ] && COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}

complete -F _berth berth
