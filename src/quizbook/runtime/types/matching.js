// @ts-check
// matching: one select per left-hand item, offering the right-hand texts (bundle ids r1..);
// the response maps left ids to right ids. Score: the share of lefts matched rightly.
// This file reads and writes its controls; markers/matching.js marks it (marking.js).

registerQuestionType("matching", {
  read(fieldset) {
    /** @type {Record<string, string>} */
    const pairs = {};
    for (const select of selectsIn(fieldset)) {
      if (select.value && select.dataset.itemId) pairs[select.dataset.itemId] = select.value;
    }
    return pairs;
  },

  write(fieldset, response) {
    for (const select of selectsIn(fieldset)) {
      const left = select.dataset.itemId || "";
      const given = isPlainObject(response) && Object.prototype.hasOwnProperty.call(response, left)
        ? response[left] : undefined;
      select.value = typeof given === "string" ? given : "";
    }
  },
});
