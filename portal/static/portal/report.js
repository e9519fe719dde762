// The report form asks for an SMS code without leaving the page (the form keeps its photos).
(function () {
  var button = document.getElementById("send-code");
  if (!button) return;
  var form = button.form;
  var message = document.getElementById("code-message");
  button.addEventListener("click", function () {
    var body = new FormData();
    body.append("phone", form.elements.phone.value);
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    button.disabled = true;
    fetch(button.dataset.url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { message.textContent = data.message; })
      .catch(function () { message.textContent = button.dataset.offline || ""; })
      .finally(function () { setTimeout(function () { button.disabled = false; }, 3000); });
  });
})();
