"""HTML for a quiz, rendered at build time from the student bundle.

The markup is readable without JavaScript; the runtime (quizbook.runtime) enhances it. The
DOM contract (tests outside this repo rely on it): root `[data-quizbook-quiz]`,
questions `[data-question-id]` (a fieldset with a legend), native controls each
with a `<label>`, selects with `data-item-id`, the check button
`[data-quizbook-action="check"]` and the score `[data-quizbook-score]`.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from quizbook.points import format_points

NOJS_NOTE = ("Checking answers needs JavaScript. You can still read the questions and "
             "work out your answers.")


def fmt_points(points: float) -> str:
    text = format_points(points)
    return f"{text} point" if points == 1 else f"{text} points"


def bundle_script(bundle: dict[str, Any], attr: str = "data-quizbook-bundle") -> str:
    data = json.dumps(bundle, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # "<" only occurs inside JSON strings, where \u003c means the same: no "</script>".
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" {attr}>{data}</script>'


def _choice(kind: str, name: str, cid: str, value: str, label_html: str,
            part: str | None) -> str:
    attr = "" if part is None else f' data-part="{escape(part)}"'
    return (f'<div class="qb-opt"{attr}>'
            f'<input type="{kind}" name="{name}" id="{cid}" value="{escape(value)}">'
            f'<label for="{cid}">{label_html}</label></div>')


def _select(cid: str, item_id: str, label_html: str, choices: list[tuple[str, str]]) -> str:
    opts = "".join(f'<option value="{escape(v)}">{t}</option>' for v, t in choices)
    return (f'<div class="qb-row" data-part="{escape(item_id)}"><label for="{cid}">{label_html}'
            f'</label><select id="{cid}" data-item-id="{escape(item_id)}">'
            f'<option value="">Choose…</option>{opts}</select></div>')


def question_html(quiz_id: str, number: int, q: dict[str, Any]) -> str:
    qid, kind = q["id"], q["type"]
    base = f"qb-{quiz_id}-{qid}"
    parts: list[str] = []
    if kind in ("single", "true_false", "multiple"):
        control = "checkbox" if kind == "multiple" else "radio"
        opts = [_choice(control, base, f"{base}-{o['id']}", o["id"], o["text"],
                        None if kind == "true_false" else o["id"]) for o in q["options"]]
        if kind == "true_false":
            opts = [f'<div class="qb-tf" data-part="answer">{"".join(opts)}</div>']
        if kind == "multiple":
            parts.append('<p class="qb-instr">Choose every option that applies.</p>')
        parts.extend(opts)
    elif kind in ("short_text", "numeric"):
        unit = q.get("unit")
        label = "Your answer" + (f" (in {escape(unit)})" if kind == "numeric" and unit else "")
        mode = ' inputmode="decimal"' if kind == "numeric" else ""
        parts.append(f'<div class="qb-row" data-part="answer"><label for="{base}-answer">{label}'
                     f'</label><input type="text" id="{base}-answer" autocomplete="off"'
                     f' spellcheck="false"{mode}></div>')
    elif kind == "ordering":
        n = len(q["items"])
        parts.append(f'<p class="qb-instr">Give each item its position, 1 to {n}.</p>')
        positions = [(str(i), str(i)) for i in range(1, n + 1)]
        parts.extend(_select(f"{base}-{it['id']}", it["id"], it["text"], positions)
                     for it in q["items"])
    elif kind == "matching":
        parts.append('<p class="qb-instr">Choose the match for each item.</p>')
        rights = [(r["id"], r["text"]) for r in q["rights"]]
        # On paper a <select> shows none of its choices: print them as a list.
        parts.append('<ul class="qb-choices">' + "".join(f"<li>{text}</li>" for _, text in rights)
                     + "</ul>")
        parts.extend(_select(f"{base}-{left['id']}", left["id"], left["text"], rights)
                     for left in q["lefts"])
    else:
        raise ValueError(f"unknown question type {kind!r}")
    hint = q.get("hint")
    if hint:
        parts.append(f'<details class="qb-hint"><summary>Hint</summary><p>{hint}</p></details>')
    parts.append('<div class="qb-fb" aria-live="polite"></div>')
    legend = (f'<legend><span class="qb-num">Question {number}</span> '
              f'<span class="qb-pts">({fmt_points(float(q["points"]))})</span>: '
              f'<span class="qb-prompt">{q["prompt"]}</span></legend>')
    return (f'<li><fieldset data-question-id="{escape(qid)}" data-type="{kind}">'
            f'{legend}{"".join(parts)}</fieldset></li>')


def quiz_html(bundle: dict[str, Any], heading_level: int) -> str:
    qz = escape(bundle["id"])
    level = max(2, min(6, heading_level))
    max_points = float(bundle["max_points"])
    questions = "".join(question_html(bundle["id"], n, q)
                        for n, q in enumerate(bundle["questions"], 1))
    exact_max = str(int(max_points)) if max_points == int(max_points) else repr(max_points)
    shown_max = format_points(max_points)
    return (
        f'<section class="quizbook" data-quizbook-quiz="{qz}" aria-labelledby="qb-{qz}-title">'
        f'<h{level} class="qb-title" id="qb-{qz}-title">Quiz: {escape(bundle["title"])}</h{level}>'
        f"{bundle_script(bundle)}"
        f'<p class="qb-nojs">{NOJS_NOTE}</p>'
        f'<ol class="qb-questions">{questions}</ol>'
        f'<div class="qb-actions" data-qb-js hidden>'
        f'<button type="button" data-quizbook-action="check">Check answers</button>'
        f'<button type="button" data-quizbook-action="retry">Try again</button></div>'
        f'<p class="qb-scoreline" data-qb-js hidden>Score: <span data-quizbook-score '
        f'data-score="0" data-max="{exact_max}">0 / {shown_max}</span></p>'
        f'<p class="qb-status" role="status"></p>'
        f'<div class="qb-actions qb-save" data-qb-js hidden>'
        f'<label for="qb-{qz}-student">Your name (for the results file)</label> '
        f'<input type="text" id="qb-{qz}-student" data-quizbook-student autocomplete="name"> '
        f'<button type="button" data-quizbook-action="download">Download my results</button>'
        f"</div></section>"
    )
