// @ts-check
// single: one radio button per option; the response is the chosen option's id (or null).

registerQuestionType("single", {
  feedbackBesideParts: true,

  grade(question, response) {
    const options = question.options || [];
    const chosen = typeof response === "string" ? options.find((option) => option.id === response) : undefined;
    if (!chosen) return unansweredOutcome(question.points);
    const right = isRightOption(question, chosen);
    return { points: right ? question.points : 0, max: question.points, correct: right, answered: true,
      parts: { [chosen.id]: right }, feedback: [chosen.id] };
  },

  read(fieldset) {
    const picked = inputsIn(fieldset, "input[type=radio]").find((radio) => radio.checked);
    return picked ? picked.value : null;
  },

  write(fieldset, response) {
    for (const radio of inputsIn(fieldset, "input[type=radio]")) radio.checked = radio.value === response;
  },
});
