// @ts-check
// multiple: one checkbox per option; the response is the list of chosen option ids.
// Score: points × max(0, hits / right options − wrong picks / wrong options).
// This file marks it from the bundle; types/multiple.js reads and writes its controls.

registerMarker("multiple", {
  grade(question, response) {
    const options = question.options || [];
    if (!Array.isArray(response) || !response.every((id) => typeof id === "string")) {
      return unansweredOutcome(question.points);
    }
    const selected = options.filter((option) => response.includes(option.id));
    if (!selected.length) return unansweredOutcome(question.points);
    const rightness = options.map((option) => isRightOption(question, option));
    const rightCount = rightness.filter(Boolean).length;
    const hits = selected.filter((option) => rightness[options.indexOf(option)]).length;
    const falseAlarms = selected.length - hits;
    let fraction = hits / rightCount - falseAlarms / (options.length - rightCount);
    if (fraction < 0) fraction = 0;
    /** @type {Record<string, boolean>} */
    const parts = {};
    for (const option of selected) parts[option.id] = rightness[options.indexOf(option)];
    return { points: question.points * fraction, max: question.points,
      correct: hits === rightCount && falseAlarms === 0, answered: true, parts,
      feedback: selected.map((option) => option.id) };
  },
});
