// @ts-check
// true_false: radio buttons True / False (values "true", "false"); the response is a boolean.

registerQuestionType("true_false", {
  grade(question, response) {
    const key = response === true ? "true" : response === false ? "false" : null;
    const chosen = key === null ? undefined : (question.options || []).find((option) => option.id === key);
    if (!chosen) return unansweredOutcome(question.points);
    const right = isRightOption(question, chosen);
    return { points: right ? question.points : 0, max: question.points, correct: right, answered: true,
      parts: { answer: right }, feedback: [chosen.id] };
  },

  read(fieldset) {
    const picked = inputsIn(fieldset, "input[type=radio]").find((radio) => radio.checked);
    return picked ? picked.value === "true" : null;
  },

  write(fieldset, response) {
    for (const radio of inputsIn(fieldset, "input[type=radio]")) {
      radio.checked = typeof response === "boolean" && radio.value === String(response);
    }
  },
});
