// The 发送验证码 button of the SMS log-in and password pages: after a code is sent the page
// says how many seconds remain before another may be asked for (data-resend-wait); the
// button counts them down, disabled, then offers to send again.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("button[data-resend-wait]");
  if (!button) return;
  let wait = parseInt(button.dataset.resendWait, 10) || 0;
  const sendLabel = button.dataset.labelSend || button.textContent;
  const waitLabel = button.dataset.labelWait;
  const codeInput = document.querySelector("input[name=code]");
  if (wait > 0 && codeInput) codeInput.focus();
  const tick = () => {
    if (wait <= 0) {
      button.disabled = false;
      button.textContent = sendLabel;
      return;
    }
    button.disabled = true;
    button.textContent = waitLabel.replace("%(seconds)s", String(wait));
    wait -= 1;
    setTimeout(tick, 1000);
  };
  tick();
});
