import { deserializeDateTime, toLocaleDateString } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";

import { screenshot } from "./topgeschenken_oci_tour";

/**
 * The webshop order after its acknowledgement, driven by
 * tests/test_tour_order_lifecycle.py: the buyer changes it; the shop (played
 * by the test, server to server) confirms a later date and ships it; the
 * buyer sees both and receives the gifts.
 */

const LINES = ".o_form_view .o_field_widget[name='order_line'] tr.o_data_row";
const GIFT_BOX = `${LINES}:has(td[name='product_id']:contains('Kerstpakket Deluxe'))`;
const BONBONS = `${LINES}:has(td[name='product_id']:contains('Bonbons (per 10)'))`;
const WEBSHOP_STATE = ".o_form_view button[name='action_view_oci_transmissions'] .o_stat_value";

/**
 * What the test knows and the tour checks, set before the tour starts (see
 * TourCommon.start_tour). Odoo also builds the steps once before (to see that
 * the tour is ready): then they are empty.
 *
 * @returns {{delivery: string, tracking: string, carrier: string, receipt: string} | null}
 */
function tourData() {
    return odoo.tgociTourData || null;
}

registry.category("web_tour.tours").add("topgeschenken_oci_change_confirmed_order", {
    steps: () => [
        {
            content: "The webshop acknowledged the order",
            trigger: `${WEBSHOP_STATE}:contains('Acknowledged')`,
        },
        {
            content: "12 gift boxes were ordered",
            trigger: `${GIFT_BOX} td[name='product_qty']:contains('12.00')`,
            run: "click",
        },
        {
            content: "The buyer orders 15 instead",
            trigger: `${GIFT_BOX} td[name='product_qty'] input`,
            run: "edit 15",
        },
        {
            content: "Save the order",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The order is saved",
            trigger: ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
        {
            content: "with 15 gift boxes",
            trigger: `${GIFT_BOX} td[name='product_qty']:contains('15.00')`,
        },
        {
            content: "The change waits to go to the webshop",
            trigger: `${WEBSHOP_STATE}:contains('To send')`,
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_order_confirmed_shipped", {
    steps: () => {
        const data = tourData();
        if (!data) {
            return [
                {
                    content: "This tour needs the test's data (odoo.tgociTourData)",
                    trigger: "body",
                    run() {
                        throw new Error("Started without odoo.tgociTourData");
                    },
                },
            ];
        }
        const { delivery, tracking, carrier, receipt } = data;
        // As the fields show it: "Dec 21" (this year) or "Jan 4, 2027".
        const day = toLocaleDateString(deserializeDateTime(delivery));
        return [
            {
                content: "The webshop took the changed order",
                trigger: `${WEBSHOP_STATE}:contains('Acknowledged')`,
            },
            {
                content: "The shop's order number is the vendor reference",
                trigger: ".o_form_view .o_field_widget[name='partner_ref']:contains('TG-100001'), .o_form_view .o_field_widget[name='partner_ref'] input:value('TG-100001')",
            },
            {
                content: "The shop confirmed the gift boxes",
                trigger: `${GIFT_BOX} td[name='oci_confirmation_state']:contains('Confirmed')`,
            },
            {
                content: "and the bonbons",
                trigger: `${BONBONS} td[name='oci_confirmation_state']:contains('Confirmed')`,
            },
            {
                content: "Show the lines' expected arrival",
                trigger: ".o_form_view .o_field_widget[name='order_line'] .o_optional_columns_dropdown_toggle",
                run: "click",
            },
            {
                content: "Expected Arrival",
                trigger: ".o-dropdown-item input[name='date_planned']:not(:checked)",
                run: "click",
            },
            {
                content: "Close the column list",
                trigger: ".o_form_view .o_field_widget[name='order_line'] .o_optional_columns_dropdown_toggle",
                run: "click",
            },
            {
                content: `The gift boxes arrive on the day the shop confirmed (${day})`,
                trigger: `${GIFT_BOX} td[name='date_planned']:contains('${day}')`,
            },
            {
                content: `and the bonbons (${day})`,
                trigger: `${BONBONS} td[name='date_planned']:contains('${day}')`,
            },
            {
                content: "The order expects them then",
                trigger: `.o_form_view div[name='date_planned_div'] .o_field_widget[name='date_planned']:contains('${day}')`,
            },
            {
                content: "Open the webshop's documents",
                trigger: ".o_form_view .o_notebook a.nav-link:contains('Webshop documents')",
                run: "click",
            },
            {
                content: "The shop's confirmation gave every line a delivery date",
                trigger: ".o_form_view .o_field_widget[name='oci_document_ids'] tr.o_data_row:contains('TG-100001'):contains('Line 1 (Kerstpakket Deluxe): delivery on'):contains('Line 2 (Bonbons (per 10)): delivery on')",
            },
            {
                content: "and its ship notice the tracking number",
                trigger: `.o_form_view .o_field_widget[name='oci_document_ids'] tr.o_data_row:contains('Ship notice'):contains('tracking number ${tracking}')`,
            },
            ...screenshot("order_confirmed_shipped"),
            {
                content: "Open the receipt",
                trigger: ".o_form_view button[name='action_view_picking']:contains('Receipt')",
                run: "click",
            },
            {
                content: "The receipt of the order",
                trigger: `.o_breadcrumb .active:contains('${receipt}')`,
            },
            {
                content: "is scheduled on the day the shop announced",
                trigger: `.o_form_view .o_field_widget[name='scheduled_date']:contains('${day}')`,
            },
            {
                content: `It comes with ${carrier}`,
                trigger: `.o_form_view .o_field_widget[name='oci_carrier']:contains('${carrier}')`,
            },
            {
                content: `under tracking number ${tracking}`,
                trigger: `.o_form_view .o_field_widget[name='oci_tracking_ref']:contains('${tracking}')`,
            },
            ...screenshot("receipt_tracking"),
            {
                content: "The gifts arrived: validate the receipt",
                trigger: ".o_form_view .o_form_statusbar button[name='button_validate']",
                run: "click",
            },
            {
                content: "The receipt is done",
                trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Done')",
            },
        ];
    },
});
