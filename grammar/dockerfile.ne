# The Dockerfile grammar. Tokens are whole physical lines from src/parser/lexer.ts, so this grammar
# only says how lines group: directives at the top, then comments, blank lines and instructions;
# an instruction is a run of continuation lines ended by a line (or by the end of the file),
# followed by the bodies of its heredocs. Lists are built as persistent cons lists (no mutation),
# which is safe even when the Earley parser completes a rule more than once.
@preprocessor typescript

@{%
import { cons, finishHeredoc, instruction, withHeredoc } from "../grammar-actions";

// nearleyc refers to `lexer` for `%type` symbols; the real lexer is given to each Parser instance.
const lexer = { has: (_type: string): boolean => true };
%}

@lexer lexer

dockerfile -> directives body                     {% ([d, b]) => ({ directives: d, instructions: b }) %}

directives -> null                                {% () => null %}
            | directives %directive               {% ([l, t]) => cons(l, t) %}

body -> null                                      {% () => null %}
      | body %blank                               {% ([l]) => l %}
      | body %comment                             {% ([l]) => l %}
      | body instruction                          {% ([l, i]) => cons(l, i) %}

instruction -> logicalLine                        {% ([n]) => n %}
             | instruction heredoc                {% ([n, h]) => withHeredoc(n, h) %}

logicalLine -> %line                              {% ([t]) => instruction(t) %}
             | continued %line                    {% ([, t]) => instruction(t) %}
             | continued %end                     {% ([, t]) => instruction(t) %}

continued -> %cont                                {% () => null %}
           | continued %cont                      {% () => null %}
           | continued %blank                     {% () => null %}
           | continued %comment                   {% () => null %}

heredoc -> heredocBody %heredocEnd                {% ([b, t]) => finishHeredoc(b, t) %}

heredocBody -> null                               {% () => null %}
             | heredocBody %heredocBody           {% ([l, t]) => cons(l, t) %}
