// @ts-check
// ordering: one select per item (positions 1..n); the response maps item ids to positions.
// Score: the share of items in their right position; a position given twice counts for neither.
// This file reads and writes its controls; markers/ordering.js marks it (marking.js).

registerQuestionType("ordering", {
  read(fieldset) {
    /** @type {Record<string, number>} */
    const positions = {};
    for (const select of selectsIn(fieldset)) {
      if (select.value && select.dataset.itemId) positions[select.dataset.itemId] = Number(select.value);
    }
    return positions;
  },

  write(fieldset, response) {
    for (const select of selectsIn(fieldset)) {
      const item = select.dataset.itemId || "";
      const given = isPlainObject(response) && Object.prototype.hasOwnProperty.call(response, item)
        ? response[item] : undefined;
      select.value = given === undefined || given === null ? "" : String(given);
    }
  },
});
