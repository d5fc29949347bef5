"""A real browser for the web UI tests: Debian's chromium driven through chromium-driver.

Every page a test shows is photographed into the test's own folder (tmp_path, which pytest keeps),
and the browser's console is read at the end: any error there fails the test.
"""
import pathlib
import shutil

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


class Browser:
    def __init__(self, folder: pathlib.Path, width: int = 1280, height: int = 900) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         f"--window-size={width},{height}", "--lang=en-US"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
        self.driver.set_page_load_timeout(30)
        self.folder = folder
        self.shots = 0
        self.console: list[dict] = []

    def open(self, url: str) -> None:
        self.driver.get(url)

    def shot(self, name: str) -> pathlib.Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def wait(self, condition, message: str, timeout: float = 30):
        """Waits for `condition(driver)` to be truthy; the bound only ends a hung test."""
        def safe(driver):
            try:
                return condition(driver)
            except StaleElementReferenceException:
                return False
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(safe, message)

    def find(self, css: str):
        return self.wait(lambda d: d.find_element(By.CSS_SELECTOR, css), f"an element {css}")

    def click(self, css: str) -> None:
        """Clicks `css`, finding it again if a live update replaced it meanwhile."""
        def clicked(driver):
            driver.find_element(By.CSS_SELECTOR, css).click()
            return True
        self.wait(clicked, f"a click on {css}")

    def all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str, contains: str, timeout: float = 30):
        """Waits until the element `css` shows `contains`; returns its text."""
        def shown(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if contains in element.text:
                    return element.text
            return False
        return self.wait(shown, f"{css} to show {contains!r}", timeout)

    def heading(self, text: str) -> None:
        self.text("main h1", text)

    def go(self, hash_route: str) -> None:
        self.driver.execute_script("location.hash = arguments[0]", hash_route)

    def set_value(self, css: str, value: str) -> None:
        """Sets a field as typing would, with the input event the page listens to."""
        element = self.find(css)
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", element, value)

    def read_console(self) -> list[dict]:
        self.console += self.driver.get_log("browser")
        return self.console

    def console_errors(self) -> list[str]:
        return [entry["message"] for entry in self.read_console() if entry["level"] == "SEVERE"]

    def assert_console_clean(self, expected: tuple[str, ...] = ()) -> None:
        """No error in the console but the refusals the test provoked on purpose (`expected`, substrings)."""
        errors = [error for error in self.console_errors() if not any(part in error for part in expected)]
        assert not errors, f"the browser console shows errors: {errors}"

    def horizontal_overflow(self) -> int:
        """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
        return self.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")

    def quit(self) -> None:
        self.driver.quit()
