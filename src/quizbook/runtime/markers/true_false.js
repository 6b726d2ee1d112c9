// @ts-check
// true_false: radio buttons True / False (values "true", "false"); the response is a boolean.
// This file marks it from the bundle; types/true_false.js reads and writes its controls.

registerMarker("true_false", {
  grade(question, response) {
    const key = response === true ? "true" : response === false ? "false" : null;
    const chosen = key === null ? undefined : (question.options || []).find((option) => option.id === key);
    if (!chosen) return unansweredOutcome(question.points);
    const right = isRightOption(question, chosen);
    return { points: right ? question.points : 0, max: question.points, correct: right, answered: true,
      parts: { answer: right }, feedback: [chosen.id] };
  },
});
