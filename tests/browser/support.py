"""What the browser tests share: waiting for Dash to draw, signing in through the form, picking from a
Dash 4 dropdown."""

from __future__ import annotations

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.support import PASSWORD

__all__ = ["until", "sign_in", "pick", "squeezed"]


def until(duo, condition, timeout: float = 20):
    """Wait for `condition()`; an element Dash has just drawn anew is looked up again."""
    wait = WebDriverWait(duo.driver, timeout, ignored_exceptions=(StaleElementReferenceException,
                                                                  NoSuchElementException))
    return wait.until(lambda _: condition())


def sign_in(duo, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would (the one step that knows how signing in works)."""
    duo.driver.get(duo.server_url + "/sign-in")
    duo.wait_for_text_to_equal("h1", "Sign in", timeout=15)
    duo.find_element("#username").send_keys(username)
    duo.find_element("#password").send_keys(password + Keys.ENTER)
    until(duo, lambda: username in duo.driver.find_element(By.ID, "signed-in-as").text, timeout=30)


def pick(duo, dropdown: str, label: str) -> None:
    """Pick an option of a Dash 4 dropdown by its label."""
    field = duo.find_element(f"#{dropdown}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
    field.click()
    until(duo, lambda: duo.driver.find_element(By.XPATH, f"//*[@role='option'][normalize-space()='{label}']")).click()


def squeezed(duo, selector: str) -> str:
    """The text under `selector`, its runs of white space made one space."""
    return " ".join(duo.find_element(selector).text.split())
