// @ts-check
// single: one radio button per option; the response is the chosen option's id (or null).
// This file marks it from the bundle; types/single.js reads and writes its controls.

registerMarker("single", {
  grade(question, response) {
    const options = question.options || [];
    const chosen = typeof response === "string" ? options.find((option) => option.id === response) : undefined;
    if (!chosen) return unansweredOutcome(question.points);
    const right = isRightOption(question, chosen);
    return { points: right ? question.points : 0, max: question.points, correct: right, answered: true,
      parts: { [chosen.id]: right }, feedback: [chosen.id] };
  },
});
